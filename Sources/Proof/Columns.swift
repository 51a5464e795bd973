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

extension StarkProtocol {
    /// Σ_c γ_c·C_c(z)/D_c(z): the composition polynomial's value at the out-of-domain point z, computed from the
    /// columns' opened values there (and at z·ω for the columns read on the next row). The verifier checks that
    /// the composition segments add up to it.
    public static func compositionAtOutOfDomainPoint(
        air: AIR, ood: OutOfDomainValues, z: Fp, shape: StarkShape, publicInputs: [Fp], challenges: [Fp],
        busPublicSums: [Fp], gammas: [Fp]
    ) -> Fp {
        let n = shape.traceLength
        let program = air.constraintProgram
        let periodic = air.periodicColumns.indices.map {
            ColumnMath.periodicValue(coefficients: air.periodicCoefficients($0), at: z, traceLength: n)
        }
        // Columns never read on the next row are not opened there; the program never looks at them.
        var mainNext = [Fp](repeating: .zero, count: air.mainColumns.count)
        for (k, c) in air.openedNextMainColumns.enumerated() { mainNext[c] = ood.mainNext[k] }
        var auxNext = [Fp](repeating: .zero, count: air.auxColumns.count)
        for (k, c) in air.openedNextAuxColumns.enumerated() { auxNext[c] = ood.auxNext[k] }
        let values = program.evaluate(
            main: ood.main, mainNext: mainNext, aux: ood.aux, auxNext: auxNext, periodic: periodic,
            scalars: program.bind(publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums))
        // The constraints share a handful of domains: one inversion each.
        var sums: [ConstraintDomain: Fp] = [:]
        for c in air.constraints { sums[c.domain, default: .zero] += gammas[c.index] * values[c.index] }
        let domains = Array(sums.keys)
        let inverses = Fp.batchInverse(
            domains.map { ColumnMath.divisor($0, at: z, traceLength: n, generator: shape.traceGenerator) })
        var sum = Fp.zero
        for (domain, inverse) in zip(domains, inverses) { sum += sums[domain]! * inverse }
        return sum
    }

    /// Σ z^(i·n)·H_i(z): what the composition segments opened at z add up to.
    public static func compositionFromSegments(_ ood: OutOfDomainValues, z: Fp, shape: StarkShape) -> Fp {
        let zn = z.power(UInt64(shape.traceLength))
        var (sum, power) = (Fp.zero, Fp.one)
        for h in ood.composition {
            sum += power * h
            power *= zn
        }
        return sum
    }
}

extension StarkProtocol {
    /// For an AIR that packs k columns (``AIR/packing``): the stated out-of-domain values combined as the DEEP
    /// quotients of its committed polynomials need them, a_j = Σ_g α_g·t_gj(z) + Σ_h α''_h·H_(h·k + j)(z) over the
    /// committed groups of columns and of composition segments, and b_j = Σ_g' α'_g'·t_g'j(z·ω) over the groups read
    /// on the next row, for j < k (a group short of k adds nothing to the missing places). The segments share the
    /// columns' divisor x^k − z, so their sums go in with the columns'. Prover and verifier both take them from here.
    public static func packedOutOfDomainSums(
        air: AIR, ood: OutOfDomainValues, coefficients deep: DeepCoefficients
    ) -> (atZ: [Fp], atZNext: [Fp]) {
        let k = air.packing
        let m = air.mainColumns.count
        let groups = air.committedGroups
        var atZNext: [Int: Fp] = [:]
        for (i, c) in air.openedNextMainColumns.enumerated() { atZNext[c] = ood.mainNext[i] }
        for (i, c) in air.openedNextAuxColumns.enumerated() { atZNext[m + c] = ood.auxNext[i] }
        var a = [Fp](repeating: .zero, count: k)
        var b = [Fp](repeating: .zero, count: k)
        for (g, group) in groups.enumerated() {
            for (j, v) in group.enumerated() { a[j] += deep.atZ[g] * (v < m ? ood.main[v] : ood.aux[v - m]) }
        }
        for (i, g) in air.committedNextRowGroups.enumerated() {
            for (j, v) in groups[g].enumerated() { b[j] += deep.atZNext[i] * atZNext[v]! }
        }
        for (i, h) in ood.composition.enumerated() { a[i % k] += deep.segments[i / k] * h }
        return (a, b)
    }
}
