import AIR
import Field

/// The trace shape of ethSTARK's Rescue benchmark: 12 state columns, each step `next = M · state³ + c_round` with a
/// fixed 12×12 matrix M and round constants in 12 periodic columns. Public inputs are the first and last states.
///
/// It is a benchmark workload, not a hash: M and the constants are fixed pseudo-random field elements.
public enum RescueShapedAIR {
    public static let width = 12
    /// Rounds before the round constants repeat.
    public static let period = 8

    /// M[i][j], fixed pseudo-random elements.
    public static let matrix: [[Fp]] = {
        var rng = SeededGenerator(seed: 0x5245_5343)
        return (0..<width).map { _ in (0..<width).map { _ in Fp.random(using: &rng) } }
    }()

    /// constants[i][r]: the constant added to state element i in round r mod period.
    public static let constants: [[Fp]] = {
        var rng = SeededGenerator(seed: 0x434F_4E53)
        return (0..<width).map { _ in (0..<period).map { _ in Fp.random(using: &rng) } }
    }()

    public static let air: AIR = {
        let cubes = (0..<width).map { Expression.power(.main($0, .current), 3) }
        var constraints: [Constraint] = []
        for i in 0..<width {
            var mixed = Expression.periodic(i)
            for j in 0..<width { mixed = mixed + matrix[i][j] * cubes[j] }
            constraints.append(Constraint(name: "round_\(i)", domain: .transition, .main(i, .next) - mixed))
        }
        for i in 0..<width {
            constraints.append(Constraint(name: "input_\(i)", domain: .firstRow, .main(i, .current) - .publicInput(i)))
            constraints.append(
                Constraint(name: "output_\(i)", domain: .lastRow, .main(i, .current) - .publicInput(width + i)))
        }
        return try! AIR(
            name: "rescue_shaped_12",
            mainColumns: (0..<width).map { Column("s\($0)", doc: "state element \($0)") },
            publicInputs: (0..<width).map { PublicInput("in\($0)") } + (0..<width).map { PublicInput("out\($0)") },
            periodicColumns: (0..<width).map { PeriodicColumn("c\($0)", values: constants[$0]) },
            constraints: constraints)
    }()

    /// A trace of `rows` rounds from a seeded initial state, with its public inputs.
    public static func trace(rows: Int, seed: UInt64 = 1) -> (trace: TraceTable, publicInputs: [Fp]) {
        var rng = SeededGenerator(seed: seed)
        var columns = [[Fp]](repeating: [Fp](repeating: .zero, count: rows), count: width)
        var state = (0..<width).map { _ in Fp.random(using: &rng) }
        let input = state
        for r in 0..<rows {
            for i in 0..<width { columns[i][r] = state[i] }
            if r == rows - 1 { break }
            let cubes = state.map { $0.squared * $0 }
            state = (0..<width).map { i in
                var acc = constants[i][r % period]
                for j in 0..<width { acc += matrix[i][j] * cubes[j] }
                return acc
            }
        }
        return (try! TraceTable(columns: columns), input + state)
    }
}
