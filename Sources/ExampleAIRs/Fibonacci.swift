import AIR
import Field

/// The Fibonacci sequence: two columns (a, b) stepping to (b, a + b); public inputs are the two starting values and
/// the value of b on the last row.
public enum FibonacciAIR {
    /// The AIR definition.
    public static let air: AIR = try! AIR(
        name: "fibonacci",
        mainColumns: [Column("a", doc: "the earlier of two consecutive terms"), Column("b", doc: "the later term")],
        publicInputs: [
            PublicInput("a0", doc: "first term"), PublicInput("b0", doc: "second term"),
            PublicInput("result", doc: "b on the last row"),
        ],
        constraints: [
            Constraint(name: "a_step", domain: .transition, .main(0, .next) - .main(1, .current)),
            Constraint(
                name: "b_step", domain: .transition, .main(1, .next) - .main(0, .current) - .main(1, .current)),
            Constraint(name: "a_start", domain: .firstRow, .main(0, .current) - .publicInput(0)),
            Constraint(name: "b_start", domain: .firstRow, .main(1, .current) - .publicInput(1)),
            Constraint(name: "result", domain: .lastRow, .main(1, .current) - .publicInput(2)),
        ])

    /// A trace of `rows` rows (a power of two) from (a0, b0), with its public inputs.
    public static func trace(rows: Int, a0: Fp = .one, b0: Fp = .one) -> (trace: TraceTable, publicInputs: [Fp]) {
        var a = [Fp](repeating: .zero, count: rows)
        var b = [Fp](repeating: .zero, count: rows)
        (a[0], b[0]) = (a0, b0)
        for i in 1..<rows {
            a[i] = b[i - 1]
            b[i] = a[i - 1] + b[i - 1]
        }
        return (try! TraceTable(columns: [a, b]), [a0, b0, b[rows - 1]])
    }
}
