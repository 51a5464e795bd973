import AIR
import ExampleAIRs
import Field
import XCTest

final class DebugCheckerTests: XCTestCase {
    func testValidTracesPass() throws {
        let (fib, fibInputs) = FibonacciAIR.trace(rows: 64)
        XCTAssertEqual(try FibonacciAIR.air.check(trace: fib, publicInputs: fibInputs, challenges: []), [])

        let (rescue, rescueInputs) = RescueShapedAIR.trace(rows: 32)
        XCTAssertEqual(try RescueShapedAIR.air.check(trace: rescue, publicInputs: rescueInputs, challenges: []), [])

        let range = RangeCheckAIR(bits: 6)
        var rng = SeededGenerator(seed: 1)
        let values = (0..<100).map { _ in rng.next() % 64 }
        XCTAssertEqual(
            try range.air.check(trace: range.trace(values: values), publicInputs: [], challenges: challenges(2)), [])
    }

    func testEveryFailureIsReportedWithRowNameAndFormula() throws {
        var (trace, inputs) = FibonacciAIR.trace(rows: 16)
        trace.columns[1][5] += .one
        let failures = try FibonacciAIR.air.check(trace: trace, publicInputs: inputs, challenges: [])
        // b[5] is wrong: b_step fails on row 4 (b5 ≠ a4 + b4) and row 5 (b6 ≠ a5 + b5), a_step on row 5
        // (a6 ≠ b5). Later rows are untouched, so the result still matches.
        XCTAssertEqual(
            failures.map(\.description),
            [
                "row 4, constraint 1 b_step: b' − a − b ≠ 0",
                "row 5, constraint 0 a_step: a' − b ≠ 0",
                "row 5, constraint 1 b_step: b' − a − b ≠ 0",
            ])
        inputs[2] += .one
        let withWrongResult = try FibonacciAIR.air.check(trace: trace, publicInputs: inputs, challenges: [])
        XCTAssertEqual(withWrongResult.last?.description, "row 15, constraint 4 result: b − result ≠ 0")
    }

    func testOutOfRangeValueUnbalancesTheBus() throws {
        let range = RangeCheckAIR(bits: 6)
        let failures = try range.air.check(
            trace: range.trace(values: [1, 2, 64, 3]), publicInputs: [], challenges: challenges(2))
        XCTAssertEqual(failures.map(\.constraintName), ["buses.sum_balances"])
        XCTAssertEqual(failures.first?.row, 63)
        // The running sum says some bus does not balance; the imbalances say which.
        let drawn = challenges(2)
        let bad = try range.air.busImbalances(
            main: range.trace(values: [1, 2, 64, 3]), publicInputs: [], challenges: drawn)
        let good = try range.air.busImbalances(
            main: range.trace(values: [1, 2, 63, 3]), publicInputs: [], challenges: drawn)
        XCTAssertEqual(bad.map(\.isZero), [false])
        XCTAssertEqual(good.map(\.isZero), [true])
    }

    #if os(Linux)
        /// Evaluating expressions over a trace allocates a buffer per expression; every one must be freed again.
        func testBuildingAuxiliaryColumnsGivesBackItsMemory() throws {
            func residentKB() -> Int {
                let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
                let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
            }
            let range = RangeCheckAIR(bits: 6)
            let trace = range.trace(values: (0..<(1 << 18)).map { UInt64($0 % 64) })
            let drawn = challenges(2)
            for _ in 0..<2 { _ = try range.air.buildAuxiliaryColumns(main: trace, publicInputs: [], challenges: drawn) }
            let before = residentKB()
            for _ in 0..<8 { _ = try range.air.buildAuxiliaryColumns(main: trace, publicInputs: [], challenges: drawn) }
            // Each call evaluates 4 expressions on 2^18 rows, 32 MB; keeping them would grow the process by 256 MB.
            XCTAssertLessThan(residentKB() - before, 96 * 1024)
        }
    #endif

    func testDefinitionsAreValidated() {
        func invalid(_ build: () throws -> AIR) -> String {
            do {
                _ = try build()
                return "accepted"
            } catch { return "\(error)" }
        }
        let x = Expression.main(0, .current)
        XCTAssertEqual(
            invalid {
                try AIR(
                    name: "t", mainColumns: [Column("x"), Column("y")],
                    constraints: [Constraint(name: "c", domain: .everyRow, x)])
            },
            "invalid AIR: main column 'y' appears in no constraint, so a prover could put anything in it")
        XCTAssertEqual(
            invalid {
                try AIR(
                    name: "t", mainColumns: [Column("x")],
                    constraints: [Constraint(name: "c", domain: .everyRow, .main(0, .next) - x)])
            },
            "invalid AIR: constraint 'c' reads the next row, so its domain must be transition")
        XCTAssertEqual(
            invalid {
                try AIR(
                    name: "t", mainColumns: [Column("x")],
                    constraints: [Constraint(name: "c", domain: .everyRow, x - .publicInput(0))])
            },
            "invalid AIR: constraint 'c' refers to public input 0, which does not exist")
        XCTAssertEqual(
            invalid {
                try AIR(
                    name: "t", mainColumns: [Column("x")],
                    constraints: [Constraint(name: "c", domain: .everyRow, .constant(.one))])
            },
            "invalid AIR: constraint 'c' reads no column, so it is either always or never satisfied")
        XCTAssertEqual(
            invalid {
                try AIR(
                    name: "t", mainColumns: [Column("x"), Column("x")],
                    constraints: [Constraint(name: "c", domain: .everyRow, x)])
            },
            "invalid AIR: the name 'x' is used twice")
        XCTAssertEqual(
            invalid {
                try AIR(
                    name: "t", mainColumns: [Column("x")],
                    periodicColumns: [PeriodicColumn("k", values: [.one, .one, .one])],
                    constraints: [Constraint(name: "c", domain: .everyRow, x * .periodic(0))])
            },
            "invalid AIR: periodic column 'k' has 3 values; the period must be a power of two")
    }

    func testDegreesAndGeneratedColumns() {
        XCTAssertEqual(FibonacciAIR.air.maxDegree, 1)
        XCTAssertEqual(RescueShapedAIR.air.maxDegree, 3)
        let range = RangeCheckAIR(bits: 4).air
        // The lookup and the table entry share one inverse column (h·d₁·d₂ = m₁·d₂ + m₂·d₁, degree 3).
        XCTAssertEqual(range.auxColumns.map(\.name), ["range.inverses0_1", "buses.sum"])
        XCTAssertEqual(range.challengeCount, 2)
        XCTAssertEqual(range.maxDegree, 3)
        XCTAssertEqual(range.constraints.map(\.index), Array(0..<range.constraints.count))
    }

    private func challenges(_ count: Int) -> [Fp] {
        var rng = SeededGenerator(seed: 99)
        return (0..<count).map { _ in Fp.random(using: &rng) }
    }
}
