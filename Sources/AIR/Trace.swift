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
        guard !buses.isEmpty else { return [] }
        let n = trace.rowCount
        let fractions = try entryFractions(main: trace, publicInputs: publicInputs, challenges: challenges)
        // The columns as the AIR groups the entries, then the running sum of every fraction.
        var firstEntry: [Int] = []
        var count = 0
        for bus in buses {
            firstEntry.append(count)
            count += bus.entries.count
        }
        var aux: [[Fp]] = []
        for members in auxColumnEntries {
            if let members {
                var total = fractions[firstEntry[members[0].bus] + members[0].entry]
                for m in members.dropFirst() {
                    let other = fractions[firstEntry[m.bus] + m.entry]
                    for row in 0..<n { total[row] += other[row] }
                }
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
        return aux
    }

    /// Each bus's imbalance under these challenges: the sum of its fractions over the trace plus the verifier's
    /// public sum (for a global bus, its share); zero exactly when the bus balances (up to a negligible chance). The running sum only says
    /// whether all buses balance together; this says which one does not.
    public func busImbalances(
        main trace: TraceTable, publicInputs: [Fp], challenges: [Fp], publicBusEntries: [[PublicBusEntry]] = []
    ) throws(AIRError) -> [Fp] {
        let fractions = try entryFractions(main: trace, publicInputs: publicInputs, challenges: challenges)
        let publicSums = try busPublicSums(
            publicBusEntries, challenges: challenges,
            globalShares: [Fp](repeating: .zero, count: globalBuses.count))
        var k = 0
        return buses.indices.map { b in
            var total = publicSums[b]
            for _ in buses[b].entries {
                for value in fractions[k] { total += value }
                k += 1
            }
            return total
        }
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
        guard !selected.isEmpty else { return [] }
        let fractions = try entryFractions(
            main: trace, publicInputs: publicInputs, challenges: challenges, only: Set(selected))
        var k = 0
        return selected.map { b in
            var total = Fp.zero
            for _ in buses[b].entries {
                for value in fractions[k] { total += value }
                k += 1
            }
            return total
        }
    }

    /// Every entry's fraction m/d on every row, entries in bus order (of the buses in `only`, when given).
    private func entryFractions(
        main trace: TraceTable, publicInputs: [Fp], challenges: [Fp], only: Set<Int>? = nil
    ) throws(AIRError) -> [[Fp]] {
        let n = trace.rowCount
        // One program computes every entry's multiplicity and denominator on every row.
        var expressions: [Expression] = []
        for (b, bus) in buses.enumerated() where only?.contains(b) ?? true {
            let alpha = Expression.challenge(2 * b)
            let beta = Expression.challenge(2 * b + 1)
            for entry in bus.entries {
                var fingerprint = entry.values.last ?? .constant(.zero)
                for v in entry.values.dropLast().reversed() { fingerprint = v + beta * fingerprint }
                expressions.append(entry.multiplicity)
                expressions.append(alpha - fingerprint)
            }
        }
        let program = ConstraintProgram(expressions: expressions)
        let scalars = program.bind(publicInputs: publicInputs, challenges: challenges)
        var values = [[Fp]](repeating: [Fp](repeating: .zero, count: n), count: expressions.count)
        let periodic = periodicValuesOnTrace(rowCount: n)
        program.evaluateAll(
            main: trace.columns, aux: [], periodic: periodic, size: n, nextStride: 1, scalars: scalars, into: &values)

        // Every entry's fraction m/d, an entry per core at a time.
        var k = 0
        for (b, bus) in buses.enumerated() where only?.contains(b) ?? true {
            for _ in bus.entries {
                if let row = values[k + 1].firstIndex(where: \.isZero) {
                    throw .invalid("bus '\(bus.name)' has a zero denominator on row \(row); draw new challenges")
                }
                k += 2
            }
        }
        var fractions = [[Fp]](repeating: [], count: expressions.count / 2)
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
