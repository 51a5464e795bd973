import AIR
import Circuit
import Field
import Foundation
import RV32IM
import XCTest

let programsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Vectors/programs").standardized

func loadExample(_ name: String) throws -> (Program, [UInt8]) {
    let dir = programsDirectory.appendingPathComponent(name)
    let program = try Program(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("program.elf"))))
    let input = (try? Data(contentsOf: dir.appendingPathComponent("input.bin"))).map { [UInt8]($0) } ?? []
    return (program, input)
}

func randomChallenges(_ count: Int, seed: UInt64 = 7) -> [Fp] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Fp.random(using: &rng) }
}

/// A witness of the RV32IM circuit with its statement: the trace, the public inputs and the buses' public entries.
struct CircuitWitness {
    var table: TraceTable
    var inputs: [Fp]
    var entries: [[PublicBusEntry]]

    /// The names of the broken constraints, then "BUS unbalanced" for each bus whose fractions do not cancel (the
    /// one running sum says only that some bus does not).
    func failures() throws -> [String] {
        let air = CPUCircuit.air
        let challenges = randomChallenges(air.challengeCount)
        let broken = try air.check(
            trace: table, publicInputs: inputs, challenges: challenges, publicBusEntries: entries, limit: 20
        ).map(\.constraintName)
        let imbalances = try air.busImbalances(
            main: table, publicInputs: inputs, challenges: challenges, publicBusEntries: entries)
        return broken + air.buses.indices.filter { !imbalances[$0].isZero }.map { "\(air.buses[$0].name) unbalanced" }
    }
}

final class WitnessTests: XCTestCase {
    func testExampleWitnessesSatisfyTheCircuit() throws {
        let small: [String: [UInt8]] = ["fibonacci": [20, 0, 0, 0], "sha256": Array("abc".utf8)]
        for name in ["hello", "fibonacci", "sha256"] {
            let (program, given) = try loadExample(name)
            let input = small[name] ?? given
            let trace = try Machine(program: program, input: input).trace()
            let (table, inputs) = try TraceBuilder.witness(program: program, trace: trace)
            let entries = CircuitStatement.publicBusEntries(program: program, journal: trace.result.journal)
            let failures = try CPUCircuit.air.check(
                trace: table, publicInputs: inputs, challenges: randomChallenges(CPUCircuit.air.challengeCount),
                publicBusEntries: entries, limit: 40)
            XCTAssertEqual(failures.map(\.description), [], name)
            print("\(name): \(trace.rows.count) cycles, \(table.rowCount) rows, \(failures.count) failures")
        }
    }
}
