import CGMP

/// Montgomery multiplication on GMP's low-level `mpn` layer: the in-run reference that the benchmark holds the
/// specialised Swift kernel against, and a second implementation the tests compare with it bit for bit.
///
/// Not for production use: it is slower than `Fp.*`, which is why `Fp` does not use it.
public struct GMPMontgomeryMultiplier: ~Copyable {
    private let scratch: UnsafeMutablePointer<UInt>  // a, b, p, and the 9-limb product (mp_limb_t is UInt here)
    private var a: UnsafeMutablePointer<UInt> { scratch }
    private var b: UnsafeMutablePointer<UInt> { scratch + 4 }
    private var p: UnsafeMutablePointer<UInt> { scratch + 8 }
    private var t: UnsafeMutablePointer<UInt> { scratch + 12 }

    /// A multiplier with its own scratch limbs.
    public init() {
        scratch = .allocate(capacity: 21)
        scratch.initialize(repeating: 0, count: 21)
        for (i, limb) in Fp.modulusLimbs.enumerated() { scratch[8 + i] = UInt(limb) }
    }

    deinit { scratch.deallocate() }

    /// x·y in F_p, computed as mpn_mul_n followed by a word-by-word Montgomery reduction with mpn_addmul_1.
    public func multiply(_ x: Fp, _ y: Fp) -> Fp {
        (a[0], a[1], a[2], a[3]) = (UInt(x.l0), UInt(x.l1), UInt(x.l2), UInt(x.l3))
        (b[0], b[1], b[2], b[3]) = (UInt(y.l0), UInt(y.l1), UInt(y.l2), UInt(y.l3))
        __gmpn_mul_n(t, a, b, 4)
        t[8] = 0
        for i in 0..<4 {
            // −p⁻¹ ≡ −1 (mod 2^64) because p ≡ 1, so m = −t[i] zeroes limb i.
            let m = 0 &- t[i]
            let carry = __gmpn_addmul_1(t + i, p, 4, m)
            _ = __gmpn_add_1(t + i + 4, t + i + 4, 5 - i, carry)
        }
        if t[8] != 0 || __gmpn_cmp(t + 4, p, 4) >= 0 {
            _ = __gmpn_sub_n(t + 4, t + 4, p, 4)
        }
        return Fp(montgomeryLimbs: UInt64(t[4]), UInt64(t[5]), UInt64(t[6]), UInt64(t[7]))
    }
}
