import Field

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
        auxiliary: [[Fp]]? = nil, limit: Int = 1_000
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
        var values = [[Fp]](repeating: [], count: constraints.count)
        program.evaluateAll(
            main: trace.columns, aux: aux, periodic: periodicValuesOnTrace(rowCount: n), size: n, nextStride: 1,
            scalars: program.bind(
                publicInputs: publicInputs, challenges: challenges,
                busPublicSums: try busPublicSums(publicBusEntries, challenges: challenges)),
            into: &values)

        var failures: [ConstraintFailure] = []
        let names = self.names
        for row in 0..<n {
            for c in constraints where c.domain.covers(row: row, rowCount: n) && !values[c.index][row].isZero {
                failures.append(
                    ConstraintFailure(
                        row: row, constraintIndex: c.index, constraintName: c.name,
                        formula: c.expression.formula(names: names), value: values[c.index][row]))
                if failures.count >= limit { return failures }
            }
        }
        return failures
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
