/// Arithmetic on values below 2p rather than below p, for the transforms' butterflies: a sum is brought below 2p by
/// one conditional subtraction of 2p, a difference needs no condition at all (2p is added unconditionally), and a
/// product skips its final subtraction. The transforms reduce every value below p once, at the end.
///
/// p < 2^252, so 4p < 2^254 and every intermediate fits in four limbs.
extension Fp {
    /// 2p = 2 + 2·p3·2^192.
    @usableFromInline static var twoP3: UInt64 { 2 &* p3 }

    /// a + b for a, b < 2p, below 2p.
    @inlinable @inline(__always)
    static func sumBelowTwoP(_ a: Fp, _ b: Fp) -> Fp { sum(a, b, subtractingUnlessBelow: 2, twoP3) }

    /// a − b + 2p for a, b < 2p: positive and below 4p, ready to be a product's first factor. (Modulo 2^256 the
    /// subtraction may wrap; adding 2p always brings it back, as the true result lies in (0, 4p).)
    @inlinable @inline(__always)
    static func differencePlusTwoP(_ a: Fp, _ b: Fp) -> Fp { difference(a, b, addingBack: 2, twoP3, always: true) }

    /// a − b for a, b < 2p, below 2p: 2p is added back on a borrow.
    @inlinable @inline(__always)
    static func differenceBelowTwoP(_ a: Fp, _ b: Fp) -> Fp { difference(a, b, addingBack: 2, twoP3, always: false) }

    /// A value below 2p, reduced below p.
    @inlinable @inline(__always)
    static func reducedBelowP(_ a: Fp) -> Fp { reduceOnce(a.l0, a.l1, a.l2, a.l3) }

    /// a·b + c for a < 4p and b, c < p, below 3p: the product is left below 2p and the sum unreduced (3p < 2^254),
    /// so the result can be the next such product's first factor. Horner's rule keeps its chains in this form.
    @inlinable @inline(__always)
    static func productPlusBelowThreeP(_ a: Fp, _ b: Fp, _ c: Fp) -> Fp {
        let t = montgomeryProductBelowTwoP(a, b)
        var acc = UInt128(t.l0) &+ UInt128(c.l0)
        let s0 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(t.l1) &+ UInt128(c.l1) &+ (acc >> 64)
        let s1 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(t.l2) &+ UInt128(c.l2) &+ (acc >> 64)
        let s2 = UInt64(truncatingIfNeeded: acc)
        let s3 = t.l3 &+ c.l3 &+ UInt64(truncatingIfNeeded: acc >> 64)
        return Fp(montgomeryLimbs: s0, s1, s2, s3)
    }

    /// A value below 4p, reduced below p: 2p subtracted unless it is below 2p, then p unless below p.
    @inlinable @inline(__always)
    static func reducedBelowPFromFourP(_ a: Fp) -> Fp {
        let t = subtractUnlessBelow(a.l0, a.l1, a.l2, a.l3, low: 2, high: twoP3)
        return reduceOnce(t.l0, t.l1, t.l2, t.l3)
    }
}
