import AIR
import Field
import Proof

/// The composition polynomial H = Σ_c γ_c · C_c / D_c, where C_c is constraint c over the extended columns and D_c
/// the polynomial vanishing on the rows it covers.
///
/// Each term is evaluated on as few points as determine it: the first r − 1 cosets of the trace domain in the
/// extended columns' layout and the first ℓ points of coset r − 1, ℓ the power of two that brings the count above
/// the term's degree bound. With the zero-knowledge mask a constraint of degree d has a quotient of degree about
/// (d − 1)·n + d·k, so for the RV32IM circuit (degree 4, k = 174) the classes of degree 1, 2, 3 and 4 take
/// ℓ = 1024 points of coset 0, 1, 2 and 3 beyond their 0, 1, 2 and 3 whole cosets: the constraints are evaluated on
/// about 3n, 2n, n and a thousand points where whole cosets would take 4n, 3n, 2n and n. Each class is
/// interpolated from its points (``NTT/interpolateBitReversed(_:cosets:lastPoints:on:logCosetSize:parallel:)``)
/// and the coefficients are added up. The work goes one coset at a time, every class that covers the coset taking
/// its share; the last coset, when no class needs it whole, is computed on its first points alone
/// (``ExtendedColumns/sliver(coset:points:)``), so main columns that are not kept are computed whole on one coset
/// fewer.
struct CompositionBuilder {
    let air: AIR
    let shape: StarkShape

    /// The coefficients of H, `shape.evaluationSize` of them, and whether some class's share came out above that
    /// class's own degree bound (which only a trace that breaks a constraint of the class causes).
    func coefficients(
        boundary: ExtendedColumns? = nil, main: ExtendedColumns, aux: ExtendedColumns, publicInputs: [Fp],
        challenges: [Fp], busPublicSums: [Fp], gammas: [Fp]
    ) -> (coefficients: [Fp], exceedsClassBound: Bool) {
        let n = shape.traceLength
        // g·⟨ω_E⟩, E ≥ every bound: its first r cosets, in the bit-reversed layout, are the extended columns' first.
        let domain = Domain(
            logSize: shape.evaluationSize.trailingZeroBitCount, offset: shape.domainOffset)
        var classes: [Int: [Int]] = [:]
        var bounds: [Int: Int] = [:]
        for c in air.constraints {
            let bound = StarkShape.quotientDegreeBound(c, traceLength: n, maskDegree: shape.maskDegree)
            let cosets = max(1, (bound + n - 1) / n)
            classes[cosets, default: []].append(c.index)
            bounds[cosets] = max(bounds[cosets] ?? 0, bound)
        }
        let cosets = classes.keys.max() ?? 1
        // Each periodic column on the cosets the largest class reads, computed once: a smaller class reads a prefix.
        let periodic = ClassEvaluation.periodicValues(air: air, shape: shape, cosets: cosets, domain: domain)
        let evaluations = classes.sorted(by: { $0.key < $1.key }).map { r, constraints in
            // The fewest points of the last coset, a power of two, that determine the class's share with at least
            // one to spare: a coefficient at the bound is what tells a broken rule of the class (`exceeds`).
            var points = 1
            while (r - 1) * n + points <= bounds[r]! { points <<= 1 }
            return ClassEvaluation(
                air: air, shape: shape, constraints: constraints, cosets: r, lastPoints: min(points, n),
                periodic: periodic, publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums,
                gammas: gammas)
        }
        // The points in the columns' order; each class reads its first (cosets − 1)·n + lastPoints.
        var all = domain.elements
        NTT.permuteBitReversed(&all)
        let points = Array(all[..<(cosets * n)])
        let lastPoints = evaluations.last { $0.cosets == cosets }!.lastPoints
        let whole = lastPoints < n ? cosets - 1 : cosets
        main.forEachCoset(0..<whole) { c, mainCoset in
            aux.forEachCoset(c..<c + 1) { _, auxCoset in
                // The boundary columns, kept whole, come first among the main columns.
                var columns = mainCoset
                if let boundary {
                    boundary.forEachCoset(c..<c + 1) { _, boundaryCoset in columns = boundaryCoset + mainCoset }
                }
                for e in evaluations where e.cosets > c { e.add(coset: c, main: columns, aux: auxCoset) }
            }
        }
        // No later pass reads whole cosets: what the main columns kept of them goes before the last points and the
        // interpolation take their own memory.
        main.releaseCoset()
        if whole < cosets {
            let c = cosets - 1
            let mainPoints =
                (boundary?.sliver(coset: c, points: lastPoints) ?? []) + main.sliver(coset: c, points: lastPoints)
            let auxPoints = aux.sliver(coset: c, points: lastPoints)
            // p(x^(n/P)) at each of the points, then zeros where the next rows go: no rule reads a periodic column on
            // the next row. The points are s·ω_ℓ^rev(j), so x^(n/P) runs over s^(n/P)·⟨ω_(ℓ·P/n)⟩ in bit-reversed
            // order, each value serving a run of n/P points (all of them when n/P ≥ ℓ).
            let periodicPoints = air.periodicColumns.indices.map { index -> [Fp] in
                let exponent = n / air.periodicColumns[index].values.count
                let logRun = exponent == 0 ? 0 : min(exponent, lastPoints).trailingZeroBitCount
                let values = NTT.evaluateBitReversed(
                    columns: [air.periodicCoefficients(index)], shift: points[c * n].power(UInt64(exponent)),
                    logSize: lastPoints.trailingZeroBitCount - logRun)[0]
                return (0..<lastPoints).map { values[$0 >> logRun] } + [Fp](repeating: .zero, count: lastPoints)
            }
            for e in evaluations where e.cosets == cosets {
                e.add(sliverOfCoset: c, main: mainPoints, aux: auxPoints, periodic: periodicPoints)
            }
        }
        var result = [Fp](repeating: .zero, count: shape.evaluationSize)
        var exceeds = false
        for e in evaluations {
            let part = NTT.interpolateBitReversed(
                e.quotient(points: points), cosets: e.cosets, lastPoints: e.lastPoints, on: domain,
                logCosetSize: shape.logTraceLength, parallel: true)
            if part[max(0, e.degreeBound)...].contains(where: { !$0.isZero }) { exceeds = true }
            for i in part.indices { result[i] += part[i] }
        }
        return (result, exceeds)
    }
}

/// Σ γ_c · C_c / D_c over one class of constraints on the first `cosets` − 1 cosets of the trace domain in the
/// bit-reversed layout of `domain` and the first `lastPoints` entries of the next (the extended columns' first
/// (cosets − 1)·n + lastPoints entries), accumulated a coset at a time.
final class ClassEvaluation {
    let shape: StarkShape
    let cosets: Int
    /// The points of the last coset the class is evaluated on: its first entries, a power of two of them.
    let lastPoints: Int
    /// (cosets − 1)·n + lastPoints.
    var size: Int { (cosets - 1) * shape.traceLength + lastPoints }
    /// The most coefficients any of the class's quotients has: what its share of H stays below.
    let degreeBound: Int
    private let groups: [ConstraintDomain]
    /// Each periodic column on the class's cosets in the columns' order: P entries per coset for period P.
    private let periodic: [[Fp]]
    private let program: ConstraintProgram
    private let scalars: [Fp]
    /// For each atom of the program, the groups it feeds and with what weight.
    private let feeds: [[(group: Int, weight: Fp)]]
    /// Per group, Σ γ_c·C_c over its constraints: raw, since the evaluation writes disjoint chunks from several
    /// threads.
    private let sums: [UnsafeMutablePointer<Fp>]

    /// Each periodic column of `air` on the first `cosets` cosets of the trace domain in the bit-reversed layout of
    /// `domain`: P entries per coset for period P.
    static func periodicValues(air: AIR, shape: StarkShape, cosets: Int, domain: Domain) -> [[Fp]] {
        let n = shape.traceLength
        return air.periodicColumns.enumerated().map { index, column -> [Fp] in
            // p(x^(n/P)) for x in g·⟨ω_E⟩ ranges over g^(n/P)·⟨ω_(E·P/n)⟩; in bit-reversed order, entry i of that
            // smaller domain serves the run of n/P positions p with p >> log(n/P) = i. The first cosets·P entries
            // serve the first cosets.
            let period = column.values.count
            let coefficients = air.periodicCoefficients(index)
            let smaller = Domain(
                logSize: (domain.size / n * period).trailingZeroBitCount,
                offset: domain.offset.power(UInt64(n / period)))
            return Array(
                NTT.evaluateBitReversed(
                    columns: [coefficients], on: smaller, logCosetSize: period.trailingZeroBitCount)[0][
                        ..<(cosets * period)])
        }
    }

    /// `periodic` holds each periodic column on at least this class's cosets (``periodicValues(air:shape:cosets:domain:)``).
    init(
        air: AIR, shape: StarkShape, constraints: [Int], cosets: Int, lastPoints: Int? = nil, periodic: [[Fp]],
        publicInputs: [Fp], challenges: [Fp], busPublicSums: [Fp], gammas: [Fp]
    ) {
        self.shape = shape
        self.cosets = cosets
        let n = shape.traceLength
        self.lastPoints = lastPoints ?? n
        let size = (cosets - 1) * n + self.lastPoints
        degreeBound =
            constraints.map {
                StarkShape.quotientDegreeBound(air.constraints[$0], traceLength: n, maskDegree: shape.maskDegree)
            }.max() ?? 0
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
        self.groups = groups
        self.periodic = air.periodicColumns.indices.map { k in
            Array(periodic[k].prefix(cosets * air.periodicColumns[k].values.count))
        }
        let combination = LinearCombination(air: air, constraints: constraints)
        program = combination.program
        scalars = program.bind(publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums)
        let (weights, constants) = combination.bind(
            gammas: gammas, publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums,
            groupOf: groupOf, groupCount: groups.count)
        feeds = (0..<program.outputs.count).map { a in
            (0..<groups.count).compactMap { g in weights[g][a].isZero ? nil : (g, weights[g][a]) }
        }
        sums = groups.map { _ in UnsafeMutablePointer<Fp>.allocate(capacity: size) }
        for (g, constant) in constants.enumerated() { sums[g].initialize(repeating: constant, count: size) }
    }

    deinit { sums.forEach { $0.deallocate() } }

    /// Adds the class's constraints on coset c (positions c·n ..< (c + 1)·n, or the first `lastPoints` of them for
    /// the class's last coset), from every main and auxiliary column's n values there.
    func add(coset c: Int, main: [UnsafeBufferPointer<Fp>], aux: [UnsafeBufferPointer<Fp>]) {
        let n = shape.traceLength
        precondition(c < cosets, "coset \(c) is outside the class's domain")
        withUnsafeBuffers(periodic) { periodic in
            let periodicCoset = periodic.map { column in
                let period = column.count / cosets
                return UnsafeBufferPointer(rebasing: column[c * period..<(c + 1) * period])
            }
            let columns = ConstraintProgram.Columns(
                main: main, aux: aux, periodic: periodicCoset, size: n, logCosetSize: shape.logTraceLength)
            accumulate(columns, at: c * n, points: c == cosets - 1 ? lastPoints : n)
        }
    }

    /// Adds the class's constraints on the first `lastPoints` entries of coset c, its last, from the columns' values
    /// there followed by their values on the next rows (``ExtendedColumns/sliver(coset:points:)``), and each periodic
    /// column's in the same layout.
    func add(sliverOfCoset c: Int, main: [[Fp]], aux: [[Fp]], periodic: [[Fp]]) {
        precondition(c == cosets - 1, "only the last coset is evaluated on its first points alone")
        withUnsafeBuffers(main) { main in
            withUnsafeBuffers(aux) { aux in
                withUnsafeBuffers(periodic) { periodic in
                    let columns = ConstraintProgram.Columns(
                        main: main, aux: aux, periodic: periodic, size: 2 * lastPoints, nextStride: lastPoints)
                    accumulate(columns, at: c * shape.traceLength, points: lastPoints)
                }
            }
        }
    }

    /// Σ γ_c·C_c of each group on the first `points` of the columns, added at `offset`.
    private func accumulate(_ columns: ConstraintProgram.Columns, at offset: Int, points: Int) {
        nonisolated(unsafe) let targets = sums.map { $0 + offset }
        let feeds = feeds
        program.evaluateOverDomain(columns, scalars: scalars, points: points) { start, count, atom, values in
            for (g, weight) in feeds[atom] {
                let target = targets[g] + start
                for j in 0..<count { target[j] += weight * values[j] }
            }
        }
    }

    /// Each group divided by its divisor, added up: the class's share of H on its cosets, in the bit-reversed
    /// layout. Every coset must have been added. `points` are the domain's points in that layout, at least `size`.
    func quotient(points all: [Fp]) -> [Fp] {
        let n = shape.traceLength
        let logN = shape.logTraceLength
        var result = [Fp](repeating: .zero, count: size)
        let points = all[..<size]
        let omega = shape.traceGenerator
        // Z_H(x) = x^n − 1 is constant on each coset of the trace domain, a run of n positions.
        let zhInverse: [Fp] = Fp.batchInverse(
            (0..<cosets).map { points[$0 * n].power(UInt64(n)) - .one })
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
