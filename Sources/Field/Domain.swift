/// A multiplicative coset `offset · ⟨ω⟩` of the subgroup of order `size = 2^logSize`.
///
/// The trace domain is the subgroup itself (offset 1); the low-degree extension domain is a larger subgroup shifted by
/// the group generator 3, which lies in no proper subgroup, so the two never share a point.
public struct Domain: Sendable, Equatable {
    /// log₂ of the number of points.
    public let logSize: Int
    /// The generator ω of the subgroup: a primitive `size`-th root of unity.
    public let generator: Fp
    /// The coset shift (1 for the subgroup itself).
    public let offset: Fp

    /// The number of points, 2^logSize.
    public var size: Int { 1 << logSize }

    /// The subgroup of order 2^logSize shifted by `offset`. `logSize` must be at most 30 here: larger domains do not
    /// fit in memory on any machine this runs on, and the field would allow up to 192.
    public init(logSize: Int, offset: Fp = .one) {
        precondition((0...30).contains(logSize), "domain size 2^\(logSize) is out of range")
        self.logSize = logSize
        self.generator = Fp.rootOfUnity(logOrder: logSize)
        self.offset = offset
    }

    /// The i-th point, offset · ω^i.
    public func element(_ i: Int) -> Fp { offset * generator.power(UInt64(i) & UInt64(size - 1)) }

    /// All points in order.
    public var elements: [Fp] {
        var out = [Fp](repeating: .zero, count: size)
        var x = offset
        for i in 0..<size {
            out[i] = x
            x *= generator
        }
        return out
    }

    /// The vanishing polynomial of the domain, X^size − offset^size, evaluated at x.
    public func vanishing(at x: Fp) -> Fp {
        x.power(UInt64(size)) - offset.power(UInt64(size))
    }
}

extension Fp {
    /// 3^((p−1)/2^192), a primitive 2^192-th root of unity; (p−1)/2^192 is the top limb of p.
    static let rootOfUnity2To192 = Fp(3).power(0x0800_0000_0000_0011)

    /// A primitive 2^logOrder-th root of unity, for 0 ≤ logOrder ≤ 192; the same one every time, so prover and
    /// verifier agree on the domains.
    public static func rootOfUnity(logOrder: Int) -> Fp {
        precondition((0...twoAdicity).contains(logOrder), "no root of unity of order 2^\(logOrder)")
        return rootsOfUnity[logOrder]
    }

    /// ω^e for ω = ``rootOfUnity(logOrder:)``, 0 ≤ e < 2^logOrder: the product of ω^(2^i) = rootOfUnity(logOrder − i)
    /// over the set bits i of e, about half a product a bit where raising ω by squaring takes one and a half.
    public static func rootOfUnity(logOrder: Int, power e: Int) -> Fp {
        precondition(e >= 0 && e >> logOrder == 0, "an exponent below the root's order 2^\(logOrder)")
        var result = Fp.one
        var (bits, i) = (e, 0)
        while bits != 0 {
            if bits & 1 == 1 { result *= rootsOfUnity[logOrder - i] }
            bits >>= 1
            i += 1
        }
        return result
    }

    /// `rootsOfUnity[k]` is ``rootOfUnity(logOrder:)`` for k: each the square of the next, made once, since FRI's
    /// folds and the verifier's points ask for them at every query.
    private static let rootsOfUnity: [Fp] = {
        var roots = [Fp](repeating: .one, count: twoAdicity + 1)
        roots[twoAdicity] = rootOfUnity2To192
        for k in stride(from: twoAdicity - 1, through: 0, by: -1) { roots[k] = roots[k + 1].squared }
        return roots
    }()
}
