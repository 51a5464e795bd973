import AIR
import Field

/// A LogUp range check: every value in column `value` lies in [0, 2^bits).
///
/// The table column runs 0, 1, …, 2^bits − 1 (repeating its last entry to fill the trace) and `multiplicity`
/// counts how often each table row is looked up. One bus holds the lookups (multiplicity 1) against the table
/// (multiplicity −m); it balances only if every value is in the table.
public struct RangeCheckAIR: Sendable {
    public let bits: Int
    public let air: AIR

    /// The AIR for `bits`-bit values; the trace needs at least 2^bits rows.
    public init(bits: Int) {
        self.bits = bits
        let value = Expression.main(0, .current)
        let table = Expression.main(1, .current)
        let step = Expression.main(1, .next) - table
        air = try! AIR(
            name: "range_check_\(bits)",
            mainColumns: [
                Column("value", doc: "a value that must lie in [0, 2^bits)"),
                Column("table", doc: "the range table: 0, 1, …, 2^bits − 1, its last entry repeated"),
                Column("multiplicity", doc: "how many values equal this row's table entry (0 on repeats)"),
            ],
            constraints: [
                Constraint(name: "table_start", domain: .firstRow, table),
                Constraint(name: "table_step", domain: .transition, step * (step - .one)),
                Constraint(name: "table_end", domain: .lastRow, table - Fp(UInt64(1) << UInt64(bits) - 1)),
            ],
            buses: [
                LogUpBus(
                    "range",
                    entries: [
                        LogUpEntry(multiplicity: .constant(.one), values: [value]),
                        LogUpEntry(multiplicity: -Expression.main(2, .current), values: [table]),
                    ])
            ])
    }

    /// The trace for these values (at least 2^bits rows, padded with zeros).
    public func trace(values: [UInt64]) -> TraceTable {
        let range = 1 << bits
        var rows = max(range, values.count)
        if rows & (rows - 1) != 0 { rows = 1 << (Int.bitWidth - rows.leadingZeroBitCount) }
        var value = [Fp](repeating: .zero, count: rows)
        var counts = [UInt64](repeating: 0, count: range)
        for (i, v) in values.enumerated() {
            value[i] = Fp(v)
            if v < UInt64(range) { counts[Int(v)] += 1 }
        }
        counts[0] += UInt64(rows - values.count)  // the zero padding is looked up too
        let table = (0..<rows).map { Fp(UInt64(min($0, range - 1))) }
        let multiplicity = (0..<rows).map { $0 < range ? Fp(counts[$0]) : .zero }
        return try! TraceTable(columns: [value, table, multiplicity])
    }
}
