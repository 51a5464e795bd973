import AIR
import Field
import Proof

/// The composition polynomial H = Σ_c γ_c · C_c / D_c, where C_c is constraint c over the extended columns and D_c
/// the polynomial vanishing on the rows it covers.
///
/// Each term is evaluated on the smallest domain g·⟨ω_E⟩ that determines it (E ≥ n above its own degree bound), so
/// the many constraints of degree 1 and 2 cost a quarter or half of what the few of degree 3 do; each class is
/// interpolated and the coefficients are added up.
struct CompositionBuilder {
    let air: AIR
    let shape: StarkShape

    /// The coefficients of H, `shape.evaluationSize` of them.
    func coefficients(
        main: ExtendedColumns, aux: ExtendedColumns, publicInputs: [Fp], challenges: [Fp], busPublicSums: [Fp],
        gammas: [Fp]
    ) -> [Fp] {
        let n = shape.traceLength
        var classes: [Int: [Int]] = [:]
        for c in air.constraints {
            let bound = StarkShape.quotientDegreeBound(c, traceLength: n, maskDegree: shape.maskDegree)
            var size = n
            while size < bound { size <<= 1 }
            classes[size, default: []].append(c.index)
        }
        var result = [Fp](repeating: .zero, count: shape.evaluationSize)
        for (size, constraints) in classes.sorted(by: { $0.key < $1.key }) {
            var values = evaluate(
                main: main, aux: aux, publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums,
                gammas: gammas, constraints: constraints, size: size)
            NTT.permuteBitReversed(&values)
            let part = NTT.interpolate(
                evaluations: values, on: Domain(logSize: size.trailingZeroBitCount, offset: StarkProtocol.domainOffset),
                parallel: true)
            for i in part.indices { result[i] += part[i] }
        }
        return result
    }

    /// Σ γ_c · C_c / D_c over `constraints` on g·⟨ω_size⟩, in bit-reversed order (the extended columns' first `size`
    /// entries).
    func evaluate(
        main: ExtendedColumns, aux: ExtendedColumns, publicInputs: [Fp], challenges: [Fp], busPublicSums: [Fp],
        gammas: [Fp], constraints: [Int], size: Int
    ) -> [Fp] {
        let n = shape.traceLength
        let logN = shape.logTraceLength
        let domain = Domain(logSize: size.trailingZeroBitCount, offset: StarkProtocol.domainOffset)

        // Constraints sharing a divisor are summed first, then divided once.
        var groups: [ConstraintDomain] = []
        var groupOf = [Int](repeating: -1, count: air.constraints.count)
        for c in constraints {
            let domain = air.constraints[c].domain
            if let g = groups.firstIndex(of: domain) {
                groupOf[c] = g
            } else {
                groups.append(domain)
                groupOf[c] = groups.count - 1
            }
        }
        // Raw accumulators: the evaluation writes disjoint chunks of them from several threads.
        let sums = groups.map { _ in UnsafeMutablePointer<Fp>.allocate(capacity: size) }
        defer { sums.forEach { $0.deallocate() } }
        for s in sums { s.initialize(repeating: .zero, count: size) }

        let periodic = air.periodicColumns.enumerated().map { index, column -> [Fp] in
            // p(x^(n/P)) for x in g·⟨ω_E⟩ ranges over g^(n/P)·⟨ω_(E·P/n)⟩; in bit-reversed order, entry i of that
            // smaller domain serves the run of n/P positions p with p >> log(n/P) = i.
            let period = column.values.count
            let coefficients = air.periodicCoefficients(index)
            let smaller = Domain(
                logSize: (size / n * period).trailingZeroBitCount,
                offset: StarkProtocol.domainOffset.power(UInt64(n / period)))
            return NTT.evaluateBitReversed(
                columns: [coefficients], on: smaller, logCosetSize: period.trailingZeroBitCount)[0]
        }
        let combination = LinearCombination(air: air, constraints: constraints)
        let program = combination.program
        let scalars = program.bind(publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums)
        let (weights, constants) = combination.bind(
            gammas: gammas, publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums,
            groupOf: groupOf, groupCount: groups.count)
        // For each atom, the groups it feeds and with what weight.
        let feeds = (0..<program.outputs.count).map { a in
            (0..<groups.count).compactMap { g in weights[g][a].isZero ? nil : (g, weights[g][a]) }
        }
        for (g, constant) in constants.enumerated() { sums[g].update(repeating: constant, count: size) }
        withUnsafeBuffers(main.values) { mainBuffers in
            withUnsafeBuffers(aux.values) { auxBuffers in
                withUnsafeBuffers(periodic) { periodicBuffers in
                    let columns = ConstraintProgram.Columns(
                        main: mainBuffers, aux: auxBuffers, periodic: periodicBuffers, size: size, logCosetSize: logN)
                    nonisolated(unsafe) let pointers = sums
                    program.evaluateOverDomain(columns, scalars: scalars) { start, count, atom, values in
                        for (g, weight) in feeds[atom] {
                            let target = pointers[g] + start
                            for j in 0..<count { target[j] += weight * values[j] }
                        }
                    }
                }
            }
        }

        // Divide each group by its divisor and add up.
        var result = [Fp](repeating: .zero, count: size)
        var points = domain.elements
        NTT.permuteBitReversed(&points)
        let omega = shape.traceGenerator
        // Z_H(x) = x^n − 1 is constant on each coset of the trace domain, a run of n positions.
        let zhInverse: [Fp] = Fp.batchInverse(
            (0..<size / n).map { points[$0 * n].power(UInt64(n)) - .one })
        for (g, group) in groups.enumerated() {
            let inverse: [Fp]
            switch group {
            case .everyRow: inverse = (0..<size).map { zhInverse[$0 >> logN] }
            case .transition:
                let last = omega.power(UInt64(n - 1))
                inverse = (0..<size).map { zhInverse[$0 >> logN] * (points[$0] - last) }
            case .firstRow: inverse = Fp.batchInverse(points.map { $0 - .one })
            case .lastRow:
                let last = omega.power(UInt64(n - 1))
                inverse = Fp.batchInverse(points.map { $0 - last })
            case .row(let r):
                let at = omega.power(UInt64(r % n))
                inverse = Fp.batchInverse(points.map { $0 - at })
            }
            for i in 0..<size { result[i] += sums[g][i] * inverse[i] }
        }
        return result
    }
}
