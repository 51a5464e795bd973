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

    /// The value at x, by Horner's rule.
    public func evaluate(at x: Fp) -> Fp {
        var acc = Fp.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
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
