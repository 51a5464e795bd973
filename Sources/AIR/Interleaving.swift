import Field

/// How an interleaved AIR's columns sit in the trace the STARK commits.
///
/// A circuit with `rows per cycle k` is written as usual: one row a cycle, its constraints reading the current and
/// the next row. The committed trace has k rows a cycle and about k times fewer columns: virtual column v of a
/// group (the boundary columns, the other main columns, the auxiliary columns) is cell ⌊v/k⌋ of its group's
/// committed columns, on row k·r + (v mod k) for the written trace's row r. A constraint is evaluated on the first
/// row of each cycle, reading its own cycle's rows (offsets 0…k−1) for the current row and the next cycle's
/// (offsets k…2k−1) for the next row. Cells no virtual column fills are constrained to zero.
///
/// A query opens every committed column at one point, so a proof opens about k times fewer values a query, for a
/// trace k times longer: each constraint is evaluated on k times as many points.
public final class InterleavedLayout: Sendable {
    /// The AIR as written: one row a cycle.
    public let virtual: AIR
    public let rowsPerCycle: Int

    init(virtual: AIR) {
        self.virtual = virtual
        self.rowsPerCycle = virtual.rowsPerCycle
    }

    /// Committed columns for a group of `count` virtual columns.
    func committedCount(_ count: Int) -> Int { (count + rowsPerCycle - 1) / rowsPerCycle }

    /// Committed boundary columns.
    public var boundaryCount: Int { committedCount(virtual.boundaryColumnCount) }

    /// The committed main column and the row within a cycle holding virtual main column v.
    func placeMain(_ v: Int) -> (column: Int, phase: Int) {
        let b = virtual.boundaryColumnCount
        if v < b { return (v / rowsPerCycle, v % rowsPerCycle) }
        return (boundaryCount + (v - b) / rowsPerCycle, (v - b) % rowsPerCycle)
    }

    /// The committed auxiliary column and the row within a cycle holding virtual auxiliary column v.
    func placeAux(_ v: Int) -> (column: Int, phase: Int) { (v / rowsPerCycle, v % rowsPerCycle) }

    /// The main columns as committed: the boundary group, then the others, each interleaved.
    public func interleave(main columns: [[Fp]]) -> [[Fp]] {
        let b = virtual.boundaryColumnCount
        return interleave(Array(columns[..<b])) + interleave(Array(columns[b...]))
    }

    /// The boundary columns alone, as committed.
    public func interleave(boundary columns: [[Fp]]) -> [[Fp]] { interleave(columns) }

    /// The auxiliary columns as committed.
    public func interleave(aux columns: [[Fp]]) -> [[Fp]] { interleave(columns) }

    /// The written trace's main columns, read back from the committed ones.
    public func deinterleave(main columns: [[Fp]]) -> [[Fp]] {
        let b = virtual.boundaryColumnCount
        let rest = virtual.mainColumns.count - b
        return deinterleave(Array(columns[..<boundaryCount]), count: b)
            + deinterleave(Array(columns[boundaryCount...]), count: rest)
    }

    /// Committed column c, row k·r + j, holds virtual column c·k + j on row r (zero past the group's end).
    private func interleave(_ group: [[Fp]]) -> [[Fp]] {
        guard let n = group.first?.count else { return [] }
        let k = rowsPerCycle
        return (0..<committedCount(group.count)).map { c in
            var out = [Fp](repeating: .zero, count: n * k)
            for j in 0..<k where c * k + j < group.count {
                let column = group[c * k + j]
                for r in 0..<n { out[r * k + j] = column[r] }
            }
            return out
        }
    }

    private func deinterleave(_ committed: [[Fp]], count: Int) -> [[Fp]] {
        let k = rowsPerCycle
        return (0..<count).map { v in
            let column = committed[v / k]
            return stride(from: v % k, to: column.count, by: k).map { column[$0] }
        }
    }

    /// The written trace from a committed one.
    func virtualTrace(_ trace: TraceTable) throws(AIRError) -> TraceTable {
        try TraceTable(columns: deinterleave(main: trace.columns))
    }

    /// The committed form of `virtual`: committed columns named after the virtual ones they hold, constraints
    /// lifted to the cycle's rows, periodic columns spread over the cycle, and a zero constraint on every cell no
    /// virtual column fills.
    func committedAIR() throws(AIRError) -> AIR {
        let k = rowsPerCycle
        let air = virtual
        func lift(_ e: Expression) -> Expression {
            switch e {
            case .main(let v, let r):
                let (c, j) = placeMain(v)
                return .main(c, RowOffset(r.rows * k + j))
            case .aux(let v, let r):
                let (c, j) = placeAux(v)
                return .aux(c, RowOffset(r.rows * k + j))
            case .add(let a, let b): return .add(lift(a), lift(b))
            case .sub(let a, let b): return .sub(lift(a), lift(b))
            case .mul(let a, let b): return .mul(lift(a), lift(b))
            case .neg(let a): return .neg(lift(a))
            case .power(let a, let p): return .power(lift(a), p)
            case .constant, .periodic, .publicInput, .challenge, .busPublicSum: return e
            }
        }
        func domain(_ d: ConstraintDomain) -> ConstraintDomain {
            switch d {
            case .everyRow: return .cycleStarts(k)
            case .transition: return .cycleSteps(k)
            case .firstRow: return .firstRow
            case .lastRow: return .lastCycleStart(k)
            case .row(let r): return .row(r * k)
            case .cycleStarts, .cycleSteps, .lastCycleStart: return d
            }
        }
        // Committed columns, each named after the cells it holds, in row order.
        func columns(_ group: ArraySlice<Column>) -> [Column] {
            let group = Array(group)
            return (0..<committedCount(group.count)).map { c in
                let cells = (0..<k).map { j in c * k + j < group.count ? group[c * k + j].name : "-" }
                return Column(
                    cells.joined(separator: "|"),
                    doc: "\(k) rows a cycle: " + cells.map { $0 == "-" ? "zero" : $0 }.joined(separator: ", "))
            }
        }
        let b = air.boundaryColumnCount
        let main = columns(air.mainColumns[..<b]) + columns(air.mainColumns[b...])
        let aux = columns(air.auxColumns[...])
        var constraints = air.constraints.map { c in
            Constraint(name: c.name, domain: domain(c.domain), lift(c.expression))
        }
        // Cells no virtual column fills: zero, so the committed trace has no free value.
        func empties(_ filled: Int, first: Int, _ leaf: (Int, RowOffset) -> Expression, _ names: [Column]) {
            for cell in filled..<committedCount(filled) * k {
                let c = first + cell / k
                constraints.append(
                    Constraint(
                        name: "layout.empty.\(names[c].name)@\(cell % k)", domain: .cycleStarts(k),
                        leaf(c, RowOffset(cell % k))))
            }
        }
        empties(b, first: 0, { .main($0, $1) }, main)
        empties(air.mainColumns.count - b, first: boundaryCount, { .main($0, $1) }, main)
        empties(air.auxColumns.count, first: 0, { .aux($0, $1) }, aux)
        let periodic = air.periodicColumns.map { p in
            var spread = [Fp](repeating: .zero, count: p.values.count * k)
            for (i, v) in p.values.enumerated() { spread[i * k] = v }
            return PeriodicColumn(p.name, values: spread)
        }
        let buses = air.buses.map { bus in
            LogUpBus(
                bus.name,
                entries: bus.entries.map {
                    LogUpEntry(multiplicity: lift($0.multiplicity), values: $0.values.map(lift))
                }, isGlobal: bus.isGlobal, isShared: bus.isShared)
        }
        return try AIR(
            committedFrom: (
                name: air.name, mainColumns: main, boundaryColumnCount: boundaryCount,
                publicInputs: air.publicInputs, periodicColumns: periodic, buses: buses, auxColumns: aux,
                inverseDegree: air.inverseDegree, constraints: constraints
            ), layout: self)
    }
}

extension AIR {
    /// The AIR the STARK proves: this one, or for an interleaved layout (``rowsPerCycle`` > 1) its committed form,
    /// with k rows a cycle. Computed once per AIR.
    public var committed: AIR {
        guard rowsPerCycle > 1, layout == nil else { return self }
        return derived("committed") {
            do { return try InterleavedLayout(virtual: self).committedAIR() } catch {
                preconditionFailure("the committed form of a valid AIR is valid: \(error)")
            }
        }
    }

    /// The trace the STARK commits for `trace`, a trace of the AIR as written (``committed``'s layout, if any,
    /// interleaves it).
    public func committedTrace(_ trace: TraceTable) throws(AIRError) -> TraceTable {
        guard let layout = committed.layout else { return trace }
        let b = layout.virtual
        guard trace.columns.count == b.mainColumns.count else {
            throw .invalid("the trace has \(trace.columns.count) columns; \(b.name) has \(b.mainColumns.count)")
        }
        return try TraceTable(columns: layout.interleave(main: trace.columns))
    }
}
