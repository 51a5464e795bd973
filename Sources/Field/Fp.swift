/// An element of the prime field F_p with p = 2^251 + 17·2^192 + 1 (the Stark prime).
///
/// Values are held in Montgomery form, x·2^256 mod p, as four little-endian 64-bit limbs that are always fully
/// reduced (below p). Full reduction keeps equality and hashing a plain comparison of limbs.
///
/// The multiplication kernel is specialised to the shape of p: its limbs are `[1, 0, 0, 0x0800000000000011]`, so
/// −p⁻¹ mod 2^64 is 2^64 − 1 and every reduction step costs one 64×64 multiplication instead of four.
/// `Tests/FieldTests` checks every operation against GMP on random and edge inputs.
@frozen
public struct Fp: Sendable, Hashable {
    // Montgomery limbs, least significant first.
    @usableFromInline var l0: UInt64
    @usableFromInline var l1: UInt64
    @usableFromInline var l2: UInt64
    @usableFromInline var l3: UInt64

    @inlinable @inline(__always)
    init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    /// The most significant limb of p; the others are 1, 0, 0.
    @usableFromInline static var p3: UInt64 { 0x0800_0000_0000_0011 }

    /// The additive identity.
    @inlinable public static var zero: Fp { Fp(montgomeryLimbs: 0, 0, 0, 0) }
    /// The multiplicative identity (2^256 mod p in Montgomery form).
    @inlinable public static var one: Fp {
        Fp(montgomeryLimbs: 0xFFFF_FFFF_FFFF_FFE1, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x07FF_FFFF_FFFF_FDF0)
    }
    /// 2^512 mod p: multiplying a plain value by it in Montgomery form converts it to Montgomery form.
    @inlinable static var r2: Fp {
        Fp(montgomeryLimbs: 0xFFFF_FD73_7E00_0401, 0x0000_0001_330F_FFFF, 0xFFFF_FFFF_FF6F_8000, 0x07FF_D4AB_5E00_8810)
    }

    /// The modulus p as four little-endian 64-bit limbs.
    public static let modulusLimbs: [UInt64] = [1, 0, 0, p3]
    /// The modulus p in decimal.
    public static let modulusDecimal =
        "3618502788666131213697322783095070105623107215331596699973092056135872020481"
    /// A generator of the multiplicative group F_p*.
    public static let generator = Fp(3)
    /// The largest k such that 2^k divides p − 1: every power-of-two domain up to 2^192 exists.
    public static let twoAdicity = 192

    /// Whether the element is zero.
    @inlinable public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// The element with the given small value.
    @inlinable
    public init(_ value: UInt64) {
        self = Fp(montgomeryLimbs: value, 0, 0, 0) * Fp.r2
    }

    /// The element whose canonical value has these four little-endian limbs, or nil when the value is ≥ p.
    @inlinable
    public init?(canonicalLimbs v: (UInt64, UInt64, UInt64, UInt64)) {
        guard Fp.isBelowModulus(v.0, v.1, v.2, v.3) else { return nil }
        self = Fp(montgomeryLimbs: v.0, v.1, v.2, v.3) * Fp.r2
    }

    /// The canonical value (below p) as four little-endian limbs.
    @inlinable
    public var canonicalLimbs: (UInt64, UInt64, UInt64, UInt64) {
        let x = Fp.montgomeryProduct(self, Fp(montgomeryLimbs: 1, 0, 0, 0))
        return (x.l0, x.l1, x.l2, x.l3)
    }

    @inlinable @inline(__always)
    static func isBelowModulus(_ v0: UInt64, _ v1: UInt64, _ v2: UInt64, _ v3: UInt64) -> Bool {
        // p = (p3, 0, 0, 1) from the top limb down, so v < p unless v3 > p3, or v3 == p3 and the rest ≥ 1.
        if v3 != p3 { return v3 < p3 }
        return (v0 | v1 | v2) == 0
    }
}

// MARK: - Arithmetic

extension Fp {
    /// Subtracts p from a value below 2p, leaving it below p. Branch-free: the selection is a mask.
    @inlinable @inline(__always)
    static func reduceOnce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64) -> Fp {
        subtractUnlessBelow(t0, t1, t2, t3, low: 1, high: p3)
    }

    /// Subtracts m = low + high·2^192 from t unless t < m (p for the field, 2p for the lazy forms).
    @inlinable @inline(__always)
    static func subtractUnlessBelow(
        _ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64, low: UInt64, high: UInt64
    ) -> Fp {
        let (d0, b0) = t0.subtractingReportingOverflow(low)
        let (d1, b1) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (d2, b2) = t2.subtractingReportingOverflow(b1 ? 1 : 0)
        let wide = UInt128(t3) &- UInt128(high) &- UInt128(b2 ? 1 : 0)
        let d3 = UInt64(truncatingIfNeeded: wide)
        // A borrow out of the top limb means t < m: keep t.
        let keep = UInt64(truncatingIfNeeded: wide >> 64)
        return Fp(
            montgomeryLimbs: d0 ^ ((d0 ^ t0) & keep), d1 ^ ((d1 ^ t1) & keep), d2 ^ ((d2 ^ t2) & keep),
            d3 ^ ((d3 ^ t3) & keep))
    }

    @inlinable @inline(__always)
    public static func + (a: Fp, b: Fp) -> Fp { sum(a, b, subtractingUnlessBelow: 1, p3) }

    /// a + b over four limbs, then m = low + high·2^192 subtracted unless the sum is below it: p for the field's
    /// addition (both below p < 2^252), 2p for the lazy forms (both below 2p, so the sum is below 4p < 2^254).
    @inlinable @inline(__always)
    static func sum(_ a: Fp, _ b: Fp, subtractingUnlessBelow low: UInt64, _ high: UInt64) -> Fp {
        var acc = UInt128(a.l0) &+ UInt128(b.l0)
        let s0 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(a.l1) &+ UInt128(b.l1) &+ (acc >> 64)
        let s1 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(a.l2) &+ UInt128(b.l2) &+ (acc >> 64)
        let s2 = UInt64(truncatingIfNeeded: acc)
        let s3 = a.l3 &+ b.l3 &+ UInt64(truncatingIfNeeded: acc >> 64)
        return subtractUnlessBelow(s0, s1, s2, s3, low: low, high: high)
    }

    @inlinable @inline(__always)
    public static func - (a: Fp, b: Fp) -> Fp { difference(a, b, addingBack: 1, p3, always: false) }

    /// a − b over four limbs, then (low + high·2^192) added back on a borrow, or always: p after a borrow is the
    /// field's subtraction; the lazy forms (LazyReduction.swift) add 2p. The mask is all ones exactly when adding.
    @inlinable @inline(__always)
    static func difference(_ a: Fp, _ b: Fp, addingBack low: UInt64, _ high: UInt64, always: Bool) -> Fp {
        var acc = UInt128(a.l0) &- UInt128(b.l0)
        let d0 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(a.l1) &- UInt128(b.l1) &- (acc >> 127)
        let d1 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(a.l2) &- UInt128(b.l2) &- (acc >> 127)
        let d2 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(a.l3) &- UInt128(b.l3) &- (acc >> 127)
        let d3 = UInt64(truncatingIfNeeded: acc)
        let mask = always ? UInt64.max : UInt64(truncatingIfNeeded: acc >> 64)
        acc = UInt128(d0) &+ UInt128(mask & low)
        let e0 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(d1) &+ (acc >> 64)
        let e1 = UInt64(truncatingIfNeeded: acc)
        acc = UInt128(d2) &+ (acc >> 64)
        let e2 = UInt64(truncatingIfNeeded: acc)
        let e3 = d3 &+ (mask & high) &+ UInt64(truncatingIfNeeded: acc >> 64)
        return Fp(montgomeryLimbs: e0, e1, e2, e3)
    }

    @inlinable @inline(__always)
    public static prefix func - (a: Fp) -> Fp { Fp.zero - a }

    @inlinable @inline(__always)
    public static func * (a: Fp, b: Fp) -> Fp { montgomeryProduct(a, b) }

    @inlinable @inline(__always)
    public static func += (a: inout Fp, b: Fp) { a = a + b }

    @inlinable @inline(__always)
    public static func -= (a: inout Fp, b: Fp) { a = a - b }

    @inlinable @inline(__always)
    public static func *= (a: inout Fp, b: Fp) { a = montgomeryProduct(a, b) }

    /// a·b·2^-256 mod p for a, b < p: coarsely integrated operand scanning with the sparse reduction step.
    @inlinable @inline(__always)
    static func montgomeryProduct(_ a: Fp, _ b: Fp) -> Fp {
        let t = montgomeryProductBelowTwoP(a, b)
        return reduceOnce(t.l0, t.l1, t.l2, t.l3)
    }

    /// a·b·2^-256 mod p, below 2p but not necessarily below p, for a < 4p and b < p (the final conditional
    /// subtraction left out: the transforms keep values below 2p and reduce once at the end).
    ///
    /// Bounds: each round leaves t < t/2^64 + a + p < 5p + 1 < 2^255, and t + a·bᵢ < 2^255 + 2^318 fits in five
    /// limbs; the result is (a·b + m·p)/2^256 < 4p·p/2^256 + p < 2p.
    @inlinable @inline(__always)
    static func montgomeryProductBelowTwoP(_ a: Fp, _ b: Fp) -> Fp {
        var t = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        @inline(__always) func round(_ bi: UInt64) {
            // t += a·bi, in five limbs.
            var acc = UInt128(t.0) &+ UInt128(a.l0) &* UInt128(bi)
            let t0 = UInt64(truncatingIfNeeded: acc)
            acc = UInt128(t.1) &+ UInt128(a.l1) &* UInt128(bi) &+ (acc >> 64)
            let t1 = UInt64(truncatingIfNeeded: acc)
            acc = UInt128(t.2) &+ UInt128(a.l2) &* UInt128(bi) &+ (acc >> 64)
            let t2 = UInt64(truncatingIfNeeded: acc)
            acc = UInt128(t.3) &+ UInt128(a.l3) &* UInt128(bi) &+ (acc >> 64)
            let t3 = UInt64(truncatingIfNeeded: acc)
            let t4 = UInt64(truncatingIfNeeded: acc >> 64)
            // m = t0·(−p⁻¹) mod 2^64 = −t0. Adding m·p = m + m·p3·2^192 clears limb 0, then t shifts down a limb.
            let m = 0 &- t0
            acc = UInt128(t0) &+ UInt128(m)
            acc = UInt128(t1) &+ (acc >> 64)
            t.0 = UInt64(truncatingIfNeeded: acc)
            acc = UInt128(t2) &+ (acc >> 64)
            t.1 = UInt64(truncatingIfNeeded: acc)
            acc = UInt128(t3) &+ UInt128(m) &* UInt128(p3) &+ (acc >> 64)
            t.2 = UInt64(truncatingIfNeeded: acc)
            t.3 = t4 &+ UInt64(truncatingIfNeeded: acc >> 64)
        }
        round(b.l0)
        round(b.l1)
        round(b.l2)
        round(b.l3)
        return Fp(montgomeryLimbs: t.0, t.1, t.2, t.3)
    }

    /// The square of the element.
    @inlinable @inline(__always)
    public var squared: Fp { Fp.montgomeryProduct(self, self) }

    /// Twice the element.
    @inlinable @inline(__always)
    public var doubled: Fp { self + self }

    /// The element raised to a 64-bit exponent.
    @inlinable
    public func power(_ exponent: UInt64) -> Fp {
        var result = Fp.one
        var base = self
        var e = exponent
        while e != 0 {
            if e & 1 == 1 { result *= base }
            base = base.squared
            e >>= 1
        }
        return result
    }

    /// The element raised to an exponent given as little-endian 64-bit limbs of any length.
    public func power(limbs exponent: [UInt64]) -> Fp {
        var result = Fp.one
        for limb in exponent.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared
                if (limb >> UInt64(bit)) & 1 == 1 { result *= self }
            }
        }
        return result
    }
}

extension Fp: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) { self.init(value) }
}

extension Fp {
    /// A uniformly random element drawn from `generator` by rejection sampling.
    ///
    /// Pass a seeded generator for reproducible tests and a cryptographic one (the Hashing module's
    /// `SecureRandom`) for anything secret.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> Fp {
        while true {
            let v0 = generator.next() as UInt64
            let v1 = generator.next() as UInt64
            let v2 = generator.next() as UInt64
            let v3 = (generator.next() as UInt64) & 0x0FFF_FFFF_FFFF_FFFF
            if let x = Fp(canonicalLimbs: (v0, v1, v2, v3)) { return x }
        }
    }
}

/// What generic field code and the generic property checks rely on. `Fp` is the field zkvm proves over; the
/// protocol keeps the axiom tests honest (they cannot lean on anything specific to one representation).
public protocol FieldElement: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The additive identity.
    static var zero: Self { get }
    /// The multiplicative identity.
    static var one: Self { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    /// The element times itself.
    var squared: Self { get }
    /// Whether the element is the additive identity.
    var isZero: Bool { get }
    /// The multiplicative inverse of a non-zero element.
    func inverse() -> Self
    /// The element raised to a 64-bit power.
    func power(_ exponent: UInt64) -> Self
    /// A uniformly random element.
    static func random<G: RandomNumberGenerator>(using generator: inout G) -> Self
}

extension Fp: FieldElement {}
