/// A polynomial over F_p in coefficient form, lowest degree first.
public struct Polynomial: Sendable, Equatable {
    /// The coefficients, lowest degree first; trailing zeros are allowed.
    public var coefficients: [Fp]

    /// The polynomial with these coefficients, lowest degree first.
    public init(coefficients: [Fp]) { self.coefficients = coefficients }

    /// The degree, ignoring trailing zero coefficients; −1 for the zero polynomial.
    public var degree: Int {
        (coefficients.lastIndex { !$0.isZero }) ?? -1
    }

    /// The value at x, by Horner's rule in four interleaved chains: P(x) = Σ_k x^k · P_k(x⁴), where P_k takes every
    /// fourth coefficient from k. The chains do not wait on each other's products, so a long polynomial (the
    /// verifier's 2^16-entry periodic tables) evaluates several times faster than by one chain. A polynomial of
    /// 2^14 coefficients or more is split into a run per core, P(x) = Σ_r x^(r·L)·P_r(x), evaluated side by side.
    public func evaluate(at x: Fp) -> Fp {
        let c = coefficients
        let runs = c.count >= 1 << 14 ? Parallel.coreCount : 1
        guard runs > 1 else { return c.withUnsafeBufferPointer { Polynomial.horner($0[...], at: x) } }
        // Runs of a multiple of four coefficients, the last one taking the rest.
        let length = (c.count / runs) & ~3
        nonisolated(unsafe) var values = [Fp](repeating: .zero, count: runs)
        c.withUnsafeBufferPointer { c in
            nonisolated(unsafe) let c = c
            values.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                Parallel.forEachChunk(of: runs, chunks: runs) { range in
                    for r in range {
                        let end = r == runs - 1 ? c.count : (r + 1) * length
                        out[r] = Polynomial.horner(c[r * length..<end], at: x)
                    }
                }
            }
        }
        let step = x.power(UInt64(length))
        var result = Fp.zero
        for v in values.reversed() { result = result * step + v }
        return result
    }

    /// The value at x of the polynomial with the coefficients `c`, lowest degree first, in four chains.
    private static func horner(_ c: Slice<UnsafeBufferPointer<Fp>>, at x: Fp) -> Fp {
        let base = c.startIndex
        let count = c.count
        guard count > 8 else {
            var acc = Fp.zero
            for v in c.reversed() { acc = acc * x + v }
            return acc
        }
        let x2 = x * x
        let x4 = x2 * x2
        var (a0, a1, a2, a3) = (Fp.zero, Fp.zero, Fp.zero, Fp.zero)
        var i = count - count % 4
        // The coefficients past the last whole group of four start the chains they belong to.
        let tail = count - i
        if tail > 0 { a0 = c[base + i] }
        if tail > 1 { a1 = c[base + i + 1] }
        if tail > 2 { a2 = c[base + i + 2] }
        // The chains stay below 2p (LazyReduction.swift) and are reduced below p once, at the end.
        while i > 0 {
            i -= 4
            a0 = Fp.sumBelowTwoP(Fp.montgomeryProductBelowTwoP(a0, x4), c[base + i])
            a1 = Fp.sumBelowTwoP(Fp.montgomeryProductBelowTwoP(a1, x4), c[base + i + 1])
            a2 = Fp.sumBelowTwoP(Fp.montgomeryProductBelowTwoP(a2, x4), c[base + i + 2])
            a3 = Fp.sumBelowTwoP(Fp.montgomeryProductBelowTwoP(a3, x4), c[base + i + 3])
        }
        (a0, a1, a2, a3) = (Fp.reducedBelowP(a0), Fp.reducedBelowP(a1), Fp.reducedBelowP(a2), Fp.reducedBelowP(a3))
        return a0 + x * a1 + x2 * (a2 + x * a3)
    }

    /// The sum of two polynomials.
    public static func + (a: Polynomial, b: Polynomial) -> Polynomial {
        var out = a.coefficients.count >= b.coefficients.count ? a.coefficients : b.coefficients
        let shorter = a.coefficients.count >= b.coefficients.count ? b.coefficients : a.coefficients
        for (i, c) in shorter.enumerated() { out[i] += c }
        return Polynomial(coefficients: out)
    }

    /// The polynomial scaled by a constant.
    public static func * (a: Polynomial, k: Fp) -> Polynomial {
        Polynomial(coefficients: a.coefficients.map { $0 * k })
    }

    /// The product, by schoolbook multiplication (for small polynomials; large ones go through the NTT).
    public static func * (a: Polynomial, b: Polynomial) -> Polynomial {
        guard !a.coefficients.isEmpty, !b.coefficients.isEmpty else { return Polynomial(coefficients: []) }
        var out = [Fp](repeating: .zero, count: a.coefficients.count + b.coefficients.count - 1)
        for (i, x) in a.coefficients.enumerated() where !x.isZero {
            for (j, y) in b.coefficients.enumerated() { out[i + j] += x * y }
        }
        return Polynomial(coefficients: out)
    }

    /// Divides by (X − z): returns the quotient and the remainder, which is the value at z.
    public func divided(byLinear z: Fp) -> (quotient: Polynomial, remainder: Fp) {
        guard coefficients.count > 1 else { return (Polynomial(coefficients: []), coefficients.first ?? .zero) }
        var quotient = [Fp](repeating: .zero, count: coefficients.count - 1)
        var carry = Fp.zero
        for i in stride(from: coefficients.count - 1, through: 1, by: -1) {
            carry = coefficients[i] + carry * z
            quotient[i - 1] = carry
        }
        return (Polynomial(coefficients: quotient), coefficients[0] + carry * z)
    }
}
