import AIR
import Field

/// A count split over several proofs: each proof counts up by one a row from the value it receives on a global bus
/// and sends the value it reaches, so the proofs of one count chain together only through the bus. The smallest
/// AIR with boundary columns and a global bus, for testing how proofs are joined.
///
/// Boundary columns: `first` (1 on row 0 only) and `start`, `end` (the values received and sent, constant down the
/// trace). Main column: `count`, from `start` on row 0 up by one a row to `end` on the last row. The global bus
/// `relay` takes `start` and gives `end`, once each (on row 0); whoever joins the proofs gives the first start and
/// takes the last end.
public enum RelayAIR {
    public static let air: AIR = {
        var b = AIRBuilder(name: "relay")
        let first = b.boundaryColumn("first", "1 on row 0, 0 below")
        let start = b.boundaryColumn("start", "the value received, on every row")
        let end = b.boundaryColumn("end", "the value sent, on every row")
        let count = b.column("count", "start on row 0, up by one a row")
        b.constrain("first_is_one", .firstRow, first - 1)
        b.constrain("first_only_once", .transition, first.next)
        b.constrain("start_constant", .transition, start.next - start)
        b.constrain("end_constant", .transition, end.next - end)
        b.constrain("count_start", .firstRow, count - start)
        b.constrain("count_step", .transition, count.next - count - 1)
        b.constrain("count_end", .lastRow, count - end)
        b.busEntry("relay", global: true, multiplicity: -first, [start])
        b.busEntry("relay", global: true, multiplicity: first, [end])
        return try! b.build()
    }()

    /// A trace of `rows` rows (a power of two) counting from `start`.
    public static func trace(rows: Int, start: Fp) -> TraceTable {
        let end = start + Fp(UInt64(rows - 1))
        let first = (0..<rows).map { $0 == 0 ? Fp.one : .zero }
        let count = (0..<rows).map { start + Fp(UInt64($0)) }
        return try! TraceTable(
            columns: [first, [Fp](repeating: start, count: rows), [Fp](repeating: end, count: rows), count])
    }
}
