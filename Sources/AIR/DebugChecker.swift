import Field
import Synchronization

/// One constraint that does not vanish on one row.
public struct ConstraintFailure: Hashable, Sendable, CustomStringConvertible {
    public var row: Int
    public var constraintIndex: Int
    public var constraintName: String
    public var formula: String
    /// The constraint's value on the row (non-zero).
    public var value: Fp

    public var description: String {
        "row \(row), constraint \(constraintIndex) \(constraintName): \(formula) ≠ 0"
    }
}

extension AIR {
    /// Checks every constraint on every row it covers and returns all failures, in row order then constraint order.
    ///
    /// Buses need challenges: pass the proof's, or any random ones (a trace that balances a bus for random
    /// challenges balances it for all but a negligible fraction of them). `auxiliary` may be passed to check
    /// externally built auxiliary columns; by default they are built here.
    public func check(
        trace: TraceTable, publicInputs: [Fp], challenges: [Fp], publicBusEntries: [[PublicBusEntry]] = [],
        globalShares: [Fp]? = nil, sharedShares: [Int: Fp] = [:], auxiliary: [[Fp]]? = nil, limit: Int = 1_000
    ) throws(AIRError) -> [ConstraintFailure] {
        guard trace.columns.count == mainColumns.count else {
            throw .invalid("the trace has \(trace.columns.count) columns; '\(name)' has \(mainColumns.count)")
        }
        guard publicInputs.count == self.publicInputs.count else {
            throw .invalid("\(publicInputs.count) public inputs given; '\(name)' takes \(self.publicInputs.count)")
        }
        guard challenges.count == challengeCount else {
            throw .invalid("\(challenges.count) challenges given; '\(name)' needs \(challengeCount)")
        }
        let n = trace.rowCount
        let aux: [[Fp]]
        if let auxiliary {
            aux = auxiliary
        } else {
            aux = try buildAuxiliaryColumns(main: trace, publicInputs: publicInputs, challenges: challenges)
        }
        let program = ConstraintProgram(self)
        // Without stated shares, each global bus is checked against its own sum in this trace.
        let shares: [Fp]
        if let globalShares {
            shares = globalShares
        } else {
            shares = try self.globalShares(main: trace, publicInputs: publicInputs, challenges: challenges)
        }
        let scalars = program.bind(
            publicInputs: publicInputs, challenges: challenges,
            busPublicSums: try busPublicSums(
                publicBusEntries, challenges: challenges, globalShares: shares, sharedShares: sharedShares))
        let domains = constraints.map(\.domain)
        // Failures found so far, kept to the `limit` smallest (row, constraint) pairs: anything beyond the limit-th
        // is dropped at once, so a broken trace costs no more memory than a sound one.
        let found = Mutex<(failures: [(row: Int, constraint: Int, value: Fp)], cutoff: (Int, Int)?)>(([], nil))
        withUnsafeBuffers(trace.columns) { mainBuffers in
            withUnsafeBuffers(aux) { auxBuffers in
                let periodic = periodicValuesOnTrace(rowCount: n)
                withUnsafeBuffers(periodic) { periodicBuffers in
                    let columns = ConstraintProgram.Columns(
                        main: mainBuffers, aux: auxBuffers, periodic: periodicBuffers, size: n, nextStride: 1)
                    program.evaluateOverDomain(columns, scalars: scalars) { start, count, c, values in
                        for j in 0..<count where !values[j].isZero && domains[c].covers(row: start + j, rowCount: n) {
                            let row = start + j
                            found.withLock { found in
                                if let cutoff = found.cutoff, (row, c) > cutoff { return }
                                found.failures.append((row, c, values[j]))
                                if found.failures.count >= 4 * limit {
                                    found.failures.sort { ($0.row, $0.constraint) < ($1.row, $1.constraint) }
                                    found.failures.removeLast(found.failures.count - limit)
                                    found.cutoff = (found.failures[limit - 1].row, found.failures[limit - 1].constraint)
                                }
                            }
                        }
                    }
                }
            }
        }
        let names = self.names
        return found.withLock { $0.failures }
            .sorted { ($0.row, $0.constraint) < ($1.row, $1.constraint) }
            .prefix(limit)
            .map { failure in
                let c = constraints[failure.constraint]
                return ConstraintFailure(
                    row: failure.row, constraintIndex: c.index, constraintName: c.name,
                    formula: c.expression.formula(names: names), value: failure.value)
            }
    }
}

extension ConstraintDomain {
    /// Whether the constraint must vanish on `row` of a trace of `rowCount` rows.
    public func covers(row: Int, rowCount n: Int) -> Bool {
        switch self {
        case .everyRow: return true
        case .transition: return row < n - 1
        case .firstRow: return row == 0
        case .lastRow: return row == n - 1
        case .row(let r): return row == r
        }
    }
}
