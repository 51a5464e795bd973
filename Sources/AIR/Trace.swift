import Field

/// The main trace: one array per column, all of the same power-of-two length.
public struct TraceTable: Sendable {
    /// Column-major values, `columns[c][row]`.
    public var columns: [[Fp]]

    /// A trace from its columns. Every column must have the same length, a power of two of at least 2.
    public init(columns: [[Fp]]) throws(AIRError) {
        guard let n = columns.first?.count else { throw .invalid("the trace has no columns") }
        guard n >= 2 && n & (n - 1) == 0 else { throw .invalid("the trace has \(n) rows; it needs a power of two ≥ 2") }
        if let bad = columns.firstIndex(where: { $0.count != n }) {
            throw .invalid("trace column \(bad) has \(columns[bad].count) rows; column 0 has \(n)")
        }
        self.columns = columns
    }

    /// The number of rows.
    public var rowCount: Int { columns[0].count }
    /// log₂ of the number of rows.
    public var logRowCount: Int { rowCount.trailingZeroBitCount }
}

extension AIR {
    /// The values of every periodic column over `rowCount` rows, for evaluating on the trace domain.
    public func periodicValuesOnTrace(rowCount: Int) -> [[Fp]] {
        periodicColumns.map { p in p.values.count <= rowCount ? p.values : Array(p.values.prefix(rowCount)) }
    }

    /// Builds the auxiliary columns (LogUp inverses and running sums) for `trace` under these challenges.
    /// Fails when a denominator α − fingerprint is zero on some row; with random challenges that happens with
    /// probability below rows·entries/p, and drawing new challenges fixes it.
    public func buildAuxiliaryColumns(
        main trace: TraceTable, publicInputs: [Fp], challenges: [Fp]
    ) throws(AIRError) -> [[Fp]] {
        try buildAuxiliaryColumns(main: trace, publicInputs: publicInputs, challenges: challenges, sharesOf: []).columns
    }

    /// ``buildAuxiliaryColumns(main:publicInputs:challenges:)``, and with them the share of each of `selected`
    /// (increasing bus indices) as ``busShares(main:publicInputs:challenges:buses:)`` gives it, added up from the
    /// same fractions instead of a pass of its own.
    public func buildAuxiliaryColumns(
        main trace: TraceTable, publicInputs: [Fp], challenges: [Fp], sharesOf selected: [Int]
    ) throws(AIRError) -> (columns: [[Fp]], shares: [Fp]) {
        var shares = [Fp](repeating: .zero, count: selected.count)
        guard !buses.isEmpty else { return ([], shares) }
        let n = trace.rowCount
        // The columns as the AIR groups the entries, each from its own entries' fractions alone (a few columns of
        // working memory, however many entries the buses have), then the running sum of every fraction.
        var aux: [[Fp]] = []
        for members in auxColumnEntries {
            if let members {
                let fractions = try entryFractions(
                    members, main: trace, publicInputs: publicInputs, challenges: challenges)
                var total = fractions[0]
                for other in fractions.dropFirst() {
                    for row in total.indices { total[row] += other[row] }
                }
                addShares(of: members, fractions: fractions, selected: selected, to: &shares)
                aux.append(total)
            } else {
                var sum = [Fp](repeating: .zero, count: n)
                var acc = Fp.zero
                for row in 0..<n {
                    for column in aux { acc += column[row] }
                    sum[row] = acc
                }
                aux.append(sum)
            }
        }
        return (aux, shares)
    }

    /// Each bus's imbalance under these challenges: the sum of its fractions over the trace plus the verifier's
    /// public sum (for a global bus, its share); zero exactly when the bus balances (up to a negligible chance). The running sum only says
    /// whether all buses balance together; this says which one does not.
    public func busImbalances(
        main trace: TraceTable, publicInputs: [Fp], challenges: [Fp], publicBusEntries: [[PublicBusEntry]] = []
    ) throws(AIRError) -> [Fp] {
        let publicSums = try busPublicSums(
            publicBusEntries, challenges: challenges,
            globalShares: [Fp](repeating: .zero, count: globalBuses.count))
        let shares = try busShares(
            main: trace, publicInputs: publicInputs, challenges: challenges, buses: Array(buses.indices))
        return buses.indices.map { publicSums[$0] + shares[$0] }
    }

    /// Each global bus's share in this trace (``globalBuses`` order): the sum of its fractions over every row,
    /// under the global challenges in `challenges` (the other buses' are not read). It reads boundary columns only,
    /// so it is known once they are, before the other columns are committed.
    public func globalShares(main trace: TraceTable, publicInputs: [Fp], challenges: [Fp]) throws(AIRError) -> [Fp] {
        try busShares(main: trace, publicInputs: publicInputs, challenges: challenges, buses: globalBuses)
    }

    /// The sum of the fractions of each of `buses` (increasing bus indices) over every row, under their
    /// challenges in `challenges` (the other buses' are not read): a table's share of buses it shares.
    public func busShares(
        main trace: TraceTable, publicInputs: [Fp], challenges: [Fp], buses selected: [Int]
    ) throws(AIRError) -> [Fp] {
        var shares = [Fp](repeating: .zero, count: selected.count)
        // A column's entries at a time, as the auxiliary columns group them: a few columns of working memory.
        for case let members? in auxColumnEntries {
            let wanted = members.filter { selected.contains($0.bus) }
            guard !wanted.isEmpty else { continue }
            let fractions = try entryFractions(wanted, main: trace, publicInputs: publicInputs, challenges: challenges)
            addShares(of: wanted, fractions: fractions, selected: selected, to: &shares)
        }
        return shares
    }

    /// Adds each entry's fraction, over every row, to the share of its bus when that bus is one of `selected`.
    private func addShares(
        of entries: [(bus: Int, entry: Int)], fractions: [[Fp]], selected: [Int], to shares: inout [Fp]
    ) {
        for (entry, fraction) in zip(entries, fractions) {
            guard let s = selected.firstIndex(of: entry.bus) else { continue }
            for value in fraction { shares[s] += value }
        }
    }

    /// The fraction m/d of each of `entries` on every row.
    private func entryFractions(
        _ entries: [(bus: Int, entry: Int)], main trace: TraceTable, publicInputs: [Fp], challenges: [Fp]
    ) throws(AIRError) -> [[Fp]] {
        let n = trace.rowCount
        // One program computes the entries' multiplicities and denominators on every row.
        var expressions: [Expression] = []
        for (b, e) in entries {
            let entry = buses[b].entries[e]
            let alpha = Expression.challenge(2 * b)
            let beta = Expression.challenge(2 * b + 1)
            var fingerprint = entry.values.last ?? .constant(.zero)
            for v in entry.values.dropLast().reversed() { fingerprint = v + beta * fingerprint }
            expressions.append(entry.multiplicity)
            expressions.append(alpha - fingerprint)
        }
        let program = ConstraintProgram(expressions: expressions)
        let scalars = program.bind(publicInputs: publicInputs, challenges: challenges)
        var values = [[Fp]](repeating: [], count: expressions.count)
        let periodic = periodicValuesOnTrace(rowCount: n)
        program.evaluateAll(
            main: trace.columns, aux: [], periodic: periodic, size: n, nextStride: 1, scalars: scalars, into: &values)
        for (k, (b, _)) in entries.enumerated() {
            if let row = values[2 * k + 1].firstIndex(where: \.isZero) {
                throw .invalid("bus '\(buses[b].name)' has a zero denominator on row \(row); draw new challenges")
            }
        }
        // Every entry's fraction m/d, an entry per core at a time.
        var fractions = [[Fp]](repeating: [], count: entries.count)
        fractions.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            nonisolated(unsafe) let values = values
            Parallel.forEachChunk(of: out.count, chunks: out.count) { entries in
                for e in entries {
                    let multiplicity = values[2 * e]
                    let inverted = Fp.batchInverse(values[2 * e + 1])
                    out[e] = (0..<n).map { multiplicity[$0] * inverted[$0] }
                }
            }
        }
        return fractions
    }
}

extension ConstraintProgram {
    /// Evaluates every output on every point of a domain, writing `values[output][point]`, spread over the cores.
    public func evaluateAll(
        main: [[Fp]], aux: [[Fp]], periodic: [[Fp]], size: Int, nextStride: Int, scalars: [Fp],
        into values: inout [[Fp]]
    ) {
        withUnsafeBuffers(main) { mainBuffers in
            withUnsafeBuffers(aux) { auxBuffers in
                withUnsafeBuffers(periodic) { periodicBuffers in
                    let columns = Columns(
                        main: mainBuffers, aux: auxBuffers, periodic: periodicBuffers, size: size,
                        nextStride: nextStride)
                    let outputs = values.map { _ in UnsafeMutablePointer<Fp>.allocate(capacity: size) }
                    defer { outputs.forEach { $0.deallocate() } }
                    evaluateOverDomain(columns, scalars: scalars) { start, count, c, v in
                        (outputs[c] + start).update(from: v, count: count)
                    }
                    for c in values.indices { values[c] = Array(UnsafeBufferPointer(start: outputs[c], count: size)) }
                }
            }
        }
    }

    /// Runs the program over the first `points` of the `columns.size` points (all of them by default) in chunks,
    /// on all cores, handing each output chunk to `consume(start, count, output, values)`. Different calls of
    /// `consume` cover disjoint points.
    public func evaluateOverDomain(
        _ columns: Columns, scalars: [Fp], points: Int? = nil,
        consume: @escaping (Int, Int, Int, UnsafePointer<Fp>) -> Void
    ) {
        let chunk = ConstraintProgram.chunkSize
        let total = min(points ?? columns.size, columns.size)
        let chunks = (total + chunk - 1) / chunk
        nonisolated(unsafe) let columns = columns
        nonisolated(unsafe) let consume = consume
        let program = self
        Parallel.forEachChunk(of: chunks) { range in
            let scratch = UnsafeMutablePointer<Fp>.allocate(capacity: program.slotCount * chunk)
            defer { scratch.deallocate() }
            for k in range {
                let start = k * chunk
                let count = min(chunk, total - start)
                program.evaluateChunk(columns, start: start, count: count, scalars: scalars, scratch: scratch) {
                    consume(start, count, $0, $1)
                }
            }
        }
    }
}
