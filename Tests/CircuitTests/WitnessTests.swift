import AIR
import Circuit
import Field
import Foundation
import Hashing
import Proof
import Prover
import RV32IM
import Verifier
import XCTest
import ZKVM

let programsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Vectors/programs").standardized

func loadExample(_ name: String) throws -> (RV32IM.Program, [UInt8]) {
    let dir = programsDirectory.appendingPathComponent(name)
    let program = try RV32IM.Program(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("program.elf"))))
    let input = (try? Data(contentsOf: dir.appendingPathComponent("input.bin"))).map { [UInt8]($0) } ?? []
    return (program, input)
}

func randomChallenges(_ count: Int, seed: UInt64 = 7) -> [Fp] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Fp.random(using: &rng) }
}

/// A witness of an execution for the RV32IM circuit with its statement: every segment's trace and public inputs,
/// the memory's closing table, the buses' public entries, and the journal and exit code the receipt would claim.
/// Tests of one segment edit ``table`` and ``inputs`` (segment 0's).
struct CircuitWitness {
    var program: RV32IM.Program
    var journal: [UInt8]
    var exitCode: UInt32
    var execution: ExecutionWitness

    /// `nonceKey` fixes the key the global bus's nonces are derived from (by default a fresh random one), so that
    /// two executions can share it.
    init(
        program: RV32IM.Program, trace: Trace, logSegmentRows: Int? = nil, nonceKey: Digest? = nil,
        _tamper: TraceBuilder._Tamper? = nil
    ) throws {
        self.program = program
        journal = trace.result.journal
        exitCode = trace.result.exitCode
        execution = try TraceBuilder.witness(
            program: program, trace: trace, logSegmentRows: logSegmentRows, nonceKey: nonceKey, _tamper: _tamper)
    }

    /// Segment 0's trace.
    var table: TraceTable {
        get { execution.segments[0].table }
        set { execution.segments[0].table = newValue }
    }
    /// Segment 0's lookup table.
    var lookups: TraceTable {
        get { execution.segments[0].lookups }
        set { execution.segments[0].lookups = newValue }
    }
    /// Segment 0's public inputs (exit code first).
    var inputs: [Fp] {
        get { execution.segments[0].publicInputs }
        set { execution.segments[0].publicInputs = newValue }
    }
    var entries: [[PublicBusEntry]] { execution.publicBusEntries }

    /// The names of the broken constraints of every proof, then "BUS unbalanced" for each local bus whose fractions
    /// do not cancel ("memory table: BUS unbalanced" for the closing table's) (the one running sum says only that some bus does not), and "boundary unbalanced" when the
    /// global bus does not balance over the segments, the memory table and the verifier's entries.
    func failures() throws -> [String] {
        let air = CPUCircuit.air
        let lookupAIR = LookupCircuit.air
        let airs = LookupCircuit.segmentAIRs
        var names: [String] = []
        let global = GlobalContext(binding: .zero, challenges: randomChallenges(2, seed: 11))
        // Random challenges for the batch's buses by name, with the global bus's from the context, as a proof
        // draws them.
        var transcript = Transcript(domain: "witness-check")
        let challenges = BatchProtocol.drawChallenges(&transcript, airs: airs, global: global)
        let shared = BatchProtocol.sharedBuses(airs)
        var shares: [[Fp]] = []
        for segment in execution.segments {
            let tables = [segment.table, segment.lookups]
            let inputs = [segment.publicInputs, []]
            let publicEntries = [entries, []]
            // Each table's shares of the buses the two share: its running sum must end at minus them, and the two
            // tables' must cancel.
            var tableShares: [[Int: Fp]] = []
            for t in 0..<2 {
                let s = try airs[t].busShares(
                    main: tables[t], publicInputs: inputs[t], challenges: challenges[t], buses: shared[t])
                tableShares.append(Dictionary(uniqueKeysWithValues: zip(shared[t], s)))
            }
            names += try air.check(
                trace: segment.table, publicInputs: segment.publicInputs, challenges: challenges[0],
                publicBusEntries: entries, sharedShares: tableShares[0], limit: 20
            ).map(\.constraintName)
            names += try lookupAIR.check(
                trace: segment.lookups, publicInputs: [], challenges: challenges[1], sharedShares: tableShares[1],
                limit: 20
            ).map { "lookup table: \($0.constraintName)" }
            let imbalances = try air.busImbalances(
                main: segment.table, publicInputs: segment.publicInputs, challenges: challenges[0],
                publicBusEntries: publicEntries[0])
            for b in air.buses.indices where !air.buses[b].isGlobal {
                let name = air.buses[b].name
                // A shared bus balances across the two tables; the others within the segment's table.
                var total = imbalances[b]
                if let l = lookupAIR.buses.firstIndex(where: { $0.name == name }), let share = tableShares[1][l] {
                    total += share
                }
                if !total.isZero { names.append("\(name) unbalanced") }
            }
            shares.append(
                try air.globalShares(main: segment.table, publicInputs: segment.publicInputs, challenges: challenges[0]))
        }
        let memoryAIR = MemoryCircuit.air
        let memoryVector = StarkProtocol.globalChallengeVector(air: memoryAIR, global: global)
        var memoryChallenges = randomChallenges(memoryAIR.challengeCount, seed: 13)
        for b in memoryAIR.globalBuses { (memoryChallenges[2 * b], memoryChallenges[2 * b + 1]) = (memoryVector[2 * b], memoryVector[2 * b + 1]) }
        names += try memoryAIR.check(
            trace: execution.memory, publicInputs: [], challenges: memoryChallenges, limit: 20
        ).map { "memory table: \($0.constraintName)" }
        let memoryImbalances = try memoryAIR.busImbalances(
            main: execution.memory, publicInputs: [], challenges: memoryChallenges)
        names += memoryAIR.buses.indices.filter { !memoryAIR.buses[$0].isGlobal && !memoryImbalances[$0].isZero }
            .map { "memory table: \(memoryAIR.buses[$0].name) unbalanced" }
        shares.append(try memoryAIR.globalShares(main: execution.memory, publicInputs: [], challenges: memoryChallenges))
        let imbalance = try air.globalImbalances(
            shares: shares, entries: [execution.globalEntries], challenges: global.challenges)
        if imbalance.contains(where: { !$0.isZero }) { names.append("boundary unbalanced") }
        return Array(Set(names)).sorted()
    }

    /// Proves every part, the cheating way (without the prover's own check), joins them into a receipt and runs the
    /// real verifier on it: returns normally only if the receipt is accepted.
    func proveAndVerify(parameters: ProofParameters = Profile.test.parameters) throws {
        let receipt = try proveReceipt(parameters: parameters)
        let image = try ZKVM.Program(segments: program.segments, entry: program.entry)
        _ = try ZKVM.verify(receipt, expecting: image, policy: VerifierPolicy(minimumProvenBits: 0))
    }

    /// Proves every part, the cheating way (without the prover's own check), and joins them into a receipt of the
    /// segments in ``execution`` as they stand (in their order, with their public inputs), with ``journal`` and
    /// ``exitCode`` as its claim.
    func proveReceipt(parameters: ProofParameters = Profile.test.parameters) throws -> Receipt {
        let image = try ZKVM.Program(segments: program.segments, entry: program.entry)
        // One batch per segment, the last with the memory's closing table.
        let batches: [[BatchWitness]] = execution.segments.enumerated().map { k, segment in
            [
                BatchWitness(
                    statement: BatchStatement(
                        air: CPUCircuit.air, publicInputs: segment.publicInputs, publicBusEntries: entries),
                    trace: segment.table),
                BatchWitness(statement: BatchStatement(air: LookupCircuit.air, publicInputs: []), trace: segment.lookups),
            ]
                + (k == execution.segments.count - 1
                    ? [BatchWitness(statement: BatchStatement(air: MemoryCircuit.air, publicInputs: []), trace: execution.memory)]
                    : [])
        }
        let joint = Join.transcript(
            programID: image.id, journal: journal, exitCode: exitCode,
            segmentLogRows: execution.segments.map(\.table.logRowCount), memoryLogRows: execution.memory.logRowCount)
        let options = ProverOptions(parameters: parameters, _skipConstraintCheck: true)
        // One segment is proven alone, its boundary columns in its main commitment.
        if batches.count == 1 {
            let proof = try proveBatch(
                batches[0], globalFromMainRoot: { Join.context(joint, boundaryRoots: [$0]) }, options: options)
            return Receipt(program: image, journal: journal, exitCode: exitCode, segmentProofs: [proof])
        }
        let seeds = batches.map { $0.map { _ in Digest.random() } }
        let roots = try batches.indices.map { i in
            try commitBatchBoundary(
                airs: batches[i].map(\.statement.air), logTraceLengths: batches[i].map(\.trace.logRowCount),
                boundaryColumns: batches[i].map { w in
                    w.statement.air.boundaryColumnCount > 0
                        ? Array(w.trace.columns.prefix(w.statement.air.boundaryColumnCount)) : nil
                },
                parameters: parameters,
                seeds: batches[i].indices.map { t in batches[i][t].statement.air.boundaryColumnCount > 0 ? seeds[i][t] : nil })
        }
        let context = Join.context(joint, boundaryRoots: roots)
        let proofs = try batches.indices.map { i in
            var tables = batches[i]
            for t in tables.indices where tables[t].statement.air.boundaryColumnCount > 0 { tables[t].boundarySeed = seeds[i][t] }
            return try proveBatch(tables, global: context, options: options)
        }
        return Receipt(program: image, journal: journal, exitCode: exitCode, segmentProofs: proofs)
    }

    /// Proves and verifies, failing the test if the receipt is accepted. A prover that cannot finish (a bus
    /// denominator hit zero) has nothing to accept either.
    func assertRejected(_ message: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try proveAndVerify()
            XCTFail("\(message): the forged receipt verified", file: file, line: line)
        } catch is ProverError {
        } catch {
            // Rejected, as it must be.
        }
    }
}

final class WitnessTests: XCTestCase {
    func testExampleWitnessesSatisfyTheCircuit() throws {
        let small: [String: [UInt8]] = ["fibonacci": [20, 0, 0, 0], "sha256": Array("abc".utf8)]
        for name in ["hello", "fibonacci", "sha256"] {
            let (program, given) = try loadExample(name)
            let input = small[name] ?? given
            let trace = try Machine(program: program, input: input).trace()
            let witness = try CircuitWitness(program: program, trace: trace)
            XCTAssertEqual(try witness.failures(), [], name)
            print("\(name): \(trace.rows.count) cycles, \(witness.table.rowCount) rows")
        }
    }

    /// Executions cut into several segments of 2^12 rows: every segment's rules hold and the global bus balances
    /// over all of them.
    func testSegmentedWitnessesSatisfyTheCircuit() throws {
        let inputs: [String: [UInt8]] = ["fibonacci": [0x58, 0x02, 0, 0], "sha256": [UInt8](repeating: 7, count: 300)]
        for name in ["fibonacci", "sha256"] {
            let (program, _) = try loadExample(name)
            let trace = try Machine(program: program, input: inputs[name]!).trace()
            let witness = try CircuitWitness(program: program, trace: trace, logSegmentRows: 12)
            XCTAssertGreaterThan(witness.execution.segments.count, 1, name)
            XCTAssertEqual(try witness.failures(), [], name)
            print("\(name): \(trace.rows.count) cycles in \(witness.execution.segments.count) segments")
        }
    }
}
