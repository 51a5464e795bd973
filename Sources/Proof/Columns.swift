import AIR
import Field

/// Shared column arithmetic for prover and verifier.
public enum ColumnMath {
    /// The coefficients of periodic column `values` as a polynomial over ⟨ω_P⟩, P = values.count.
    public static func periodicCoefficients(_ values: [Fp]) -> [Fp] {
        NTT.interpolate(evaluations: values, on: Domain(logSize: values.count.trailingZeroBitCount))
    }

    /// A periodic column's value at an arbitrary point x of a trace of length n: p(x^(n/P)).
    public static func periodicValue(coefficients: [Fp], at x: Fp, traceLength n: Int) -> Fp {
        Polynomial(coefficients: coefficients).evaluate(at: x.power(UInt64(n / coefficients.count)))
    }

    /// The polynomial vanishing on the rows `domain` covers, evaluated at x, for a trace of n rows with generator ω.
    /// x must lie outside the trace domain (the verifier only asks at the out-of-domain point).
    public static func divisor(_ domain: ConstraintDomain, at x: Fp, traceLength n: Int, generator: Fp) -> Fp {
        let last = generator.power(UInt64(n - 1))
        switch domain {
        case .everyRow: return x.power(UInt64(n)) - .one
        case .transition: return (x.power(UInt64(n)) - .one) * (x - last).inverse()
        case .firstRow: return x - .one
        case .lastRow: return x - last
        case .row(let r): return x - generator.power(UInt64(r % n))
        }
    }
}
