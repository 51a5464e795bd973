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
}
