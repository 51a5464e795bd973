import AIR
import ExampleAIRs
import Field
import Hashing
import Proof
import Prover
import Verifier
import XCTest

/// Proofs joined by a global bus (``RelayAIR``): each proof's boundary columns are committed before the joint
/// challenges exist, each proof states its share of the bus, and the join balances only when the proofs chain.
final class GlobalBusTests: XCTestCase {
    let air = RelayAIR.air
    let rows = 64

    /// The joint statement: how many proofs, from where to where.
    func joint(proofs: Int, from start: Fp, to end: Fp) -> Transcript {
        var t = Transcript(domain: "relay-test")
        t.absorb("proofs", integer: UInt64(proofs))
        t.absorb("ends", elements: [start, end])
        return t
    }

    /// Proves the traces as one joined statement, the honest way: every boundary root first, then the joint
    /// challenges, then each proof on top of them. `alter` plays a cheating prover between the two passes.
    func proveJoined(
        _ traces: [TraceTable], from start: Fp, to end: Fp, parameters: ProofParameters = smallZK,
        alterSecondPass: ((Int, inout TraceTable) -> Void)? = nil
    ) throws -> (proofs: [StarkProof], context: GlobalContext) {
        let seeds = traces.indices.map { _ in try! Digest(bytes: SecureRandom.bytes(count: 32)) }
        let roots = try traces.indices.map { i in
            try commitBoundary(air: air, trace: traces[i], publicInputs: [], parameters: parameters, seed: seeds[i])
        }
        let context = StarkProtocol.globalContext(
            joint(proofs: traces.count, from: start, to: end), boundaryRoots: roots, busCount: 1)
        let proofs = try traces.indices.map { i in
            var trace = traces[i]
            alterSecondPass?(i, &trace)
            return try prove(
                air: air, trace: trace, publicInputs: [], global: context, boundarySeed: seeds[i],
                options: ProverOptions(parameters: parameters, _skipConstraintCheck: alterSecondPass != nil))
        }
        return (proofs, context)
    }

    /// What a verifier of the join does: derive the context from the proofs' own roots, check each proof in it,
    /// then check that the shares and the joiner's entries balance.
    func verifyJoined(_ proofs: [StarkProof], from start: Fp, to end: Fp) throws {
        let context = StarkProtocol.globalContext(
            joint(proofs: proofs.count, from: start, to: end), boundaryRoots: proofs.compactMap(\.boundaryRoot),
            busCount: 1)
        for proof in proofs {
            try verify(proof: proof, air: air, publicInputs: [], global: context, policy: lenient)
        }
        let imbalance = try air.globalImbalances(
            shares: proofs.map(\.globalShares),
            entries: [[
                PublicBusEntry(multiplicity: .one, values: [start]),
                PublicBusEntry(multiplicity: -Fp.one, values: [end]),
            ]], challenges: context.challenges)
        guard imbalance == [.zero] else { throw JoinError.unbalanced }
    }

    enum JoinError: Error { case unbalanced }

    func chain(_ count: Int, from start: Fp) -> [TraceTable] {
        (0..<count).map { RelayAIR.trace(rows: rows, start: start + Fp(UInt64($0 * (rows - 1)))) }
    }

    func testChainedProofsJoin() throws {
        let traces = chain(3, from: Fp(7))
        let end = Fp(7) + Fp(UInt64(3 * (rows - 1)))
        let (proofs, _) = try proveJoined(traces, from: Fp(7), to: end)
        XCTAssertTrue(proofs.allSatisfy { $0.boundaryRoot != nil && $0.boundaryOpening != nil })
        XCTAssertEqual(proofs.map(\.globalShares.count), [1, 1, 1])
        try verifyJoined(proofs, from: Fp(7), to: end)
        // Round trip through the encoding.
        try verifyJoined(proofs.map { try StarkProof(decoding: $0.encoded()) }, from: Fp(7), to: end)
    }

    func testAProofStartingElsewhereBreaksTheJoin() throws {
        // The second proof starts one above where the first ended: each proof is valid on its own.
        var traces = chain(2, from: Fp(7))
        traces[1] = RelayAIR.trace(rows: rows, start: Fp(7) + Fp(UInt64(rows - 1)) + .one)
        let end = Fp(7) + Fp(UInt64(2 * (rows - 1))) + .one
        let (proofs, _) = try proveJoined(traces, from: Fp(7), to: end)
        XCTAssertThrowsError(try verifyJoined(proofs, from: Fp(7), to: end)) {
            XCTAssertEqual($0 as? JoinError, .unbalanced)
        }
    }

    func testDroppedDuplicatedOrReorderedProofsBreakTheJoin() throws {
        let traces = chain(3, from: .one)
        let end = Fp.one + Fp(UInt64(3 * (rows - 1)))
        let (proofs, _) = try proveJoined(traces, from: .one, to: end)
        for changed in [[proofs[0], proofs[2]], [proofs[0], proofs[1], proofs[1], proofs[2]], [proofs[1], proofs[0], proofs[2]]] {
            XCTAssertThrowsError(try verifyJoined(changed, from: .one, to: end))
        }
    }

    func testAStatedShareThatIsNotTheTracesIsRejected() throws {
        let traces = chain(2, from: .one)
        let end = Fp.one + Fp(UInt64(2 * (rows - 1)))
        var (proofs, _) = try proveJoined(traces, from: .one, to: end)
        // Moving some of one proof's share to the other keeps the sum, so only each proof's own check can see it.
        proofs[0].globalShares[0] += Fp(5)
        proofs[1].globalShares[0] -= Fp(5)
        XCTAssertThrowsError(try verifyJoined(proofs, from: .one, to: end)) {
            XCTAssertEqual($0 as? VerifierError, .outOfDomainMismatch)
        }
    }

    func testBoundaryColumnsChangedAfterTheChallengesAreCaught() throws {
        // A prover that learns the joint challenges and then commits other boundary columns: its proofs carry
        // roots the joint challenges were not drawn from, so the verifier derives other challenges.
        let traces = chain(2, from: .one)
        let end = Fp.one + Fp(UInt64(2 * (rows - 1)))
        let (proofs, _) = try proveJoined(traces, from: .one, to: end) { i, trace in
            if i == 1 { trace.columns[2] = trace.columns[2].map { $0 + .one } }
        }
        XCTAssertThrowsError(try verifyJoined(proofs, from: .one, to: end))
    }

    func testTheBoundaryCommitmentIsReproducibleOnlyUnderItsSeed() throws {
        let trace = RelayAIR.trace(rows: rows, start: .one)
        let seed = try! Digest(bytes: SecureRandom.bytes(count: 32))
        let a = try commitBoundary(air: air, trace: trace, publicInputs: [], parameters: smallZK, seed: seed)
        let b = try commitBoundary(air: air, trace: trace, publicInputs: [], parameters: smallZK, seed: seed)
        let other = try commitBoundary(
            air: air, trace: trace, publicInputs: [], parameters: smallZK, seed: try! Digest(bytes: SecureRandom.bytes(count: 32)))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, other)
    }

    /// A batch's boundary commitment kept from the first pass is taken up by its proof, which commits to the same
    /// root and verifies; one kept under other seeds is refused.
    func testAKeptBoundaryCommitmentIsTakenUpOnlyByItsOwnBatch() throws {
        let trace = RelayAIR.trace(rows: rows, start: .one)
        let seed = Digest.random()
        let boundary = [Array(trace.columns.prefix(air.boundaryColumnCount))]
        let kept = try batchBoundaryCommitment(
            airs: [air], logTraceLengths: [trace.logRowCount], boundaryColumns: boundary, parameters: smallZK,
            seeds: [seed])
        XCTAssertEqual(
            kept.root,
            try commitBatchBoundary(
                airs: [air], logTraceLengths: [trace.logRowCount], boundaryColumns: boundary, parameters: smallZK,
                seeds: [seed]))
        let context = StarkProtocol.globalContext(
            joint(proofs: 1, from: .one, to: .one), boundaryRoots: [kept.root], busCount: 1)
        var witness = BatchWitness(statement: BatchStatement(air: air, publicInputs: []), trace: trace, boundarySeed: seed)
        let proof = try proveBatch([witness], global: context, options: ProverOptions(parameters: smallZK), boundary: kept)
        XCTAssertEqual(proof.boundaryRoot, kept.root)
        XCTAssertNoThrow(try verifyBatch(proof, statements: [witness.statement], global: context, policy: lenient))
        XCTAssertEqual(
            proof.boundaryRoot,
            try proveBatch([witness], global: context, options: ProverOptions(parameters: smallZK)).boundaryRoot)

        witness.boundarySeed = Digest.random()
        XCTAssertThrowsError(
            try proveBatch([witness], global: context, options: ProverOptions(parameters: smallZK), boundary: kept)
        ) {
            guard case .invalidWitness = $0 as? ProverError else { return XCTFail("\($0)") }
        }
    }

    /// A batch proven alone commits its boundary columns with its main ones, draws its joint context from that
    /// root and verifies only as proven alone, its share balancing the joiner's entries, whether its main columns
    /// are kept or computed a coset at a time. Its negative twins: the proof checked as one of a join, a joined
    /// proof checked as alone, a boundary value changed in the main opening, and a prover whose context was drawn
    /// from another root.
    func testABatchProvenAloneCommitsItsBoundaryWithItsMainColumns() throws {
        let trace = RelayAIR.trace(rows: rows, start: .one)
        let statement = BatchStatement(air: air, publicInputs: [])
        let witness = BatchWitness(statement: statement, trace: trace)
        let end = Fp(UInt64(rows))
        func context(_ root: Digest) -> GlobalContext {
            StarkProtocol.globalContext(joint(proofs: 1, from: .one, to: end), boundaryRoots: [root], busCount: 1)
        }
        func verifyAlone(_ proof: BatchProof) throws {
            try verifyBatch(proof, statements: [statement], globalFromMainRoot: context, policy: lenient)
        }
        for limit in [ProverOptions.defaultMainExtensionMemoryLimit, 0] {
            let options = ProverOptions(parameters: smallZK, mainExtensionMemoryLimit: limit)
            let proof = try proveBatch([witness], globalFromMainRoot: context, options: options)
            XCTAssertNil(proof.boundaryRoot)
            XCTAssertNil(proof.boundaryOpening)
            XCTAssertEqual(proof.mainOpening.rows[0][0].count, air.mainColumns.count)
            XCTAssertNoThrow(try verifyAlone(proof))
            let imbalance = try air.globalImbalances(
                shares: [proof.tables[0].globalShares],
                entries: [[
                    PublicBusEntry(multiplicity: .one, values: [.one]),
                    PublicBusEntry(multiplicity: -Fp.one, values: [end]),
                ]], challenges: context(proof.mainRoot).challenges)
            XCTAssertEqual(imbalance, [.zero])

            XCTAssertThrowsError(
                try verifyBatch(proof, statements: [statement], global: context(proof.mainRoot), policy: lenient)
            ) {
                XCTAssertEqual($0 as? VerifierError, .malformedProof("the boundary commitment is missing"))
            }
            var changed = proof
            changed.mainOpening.rows[0][0][0] += .one
            XCTAssertThrowsError(try verifyAlone(changed)) {
                guard case .merkleOpening = $0 as? VerifierError else { return XCTFail("\($0)") }
            }
        }
        let joined = try proveBatch(
            [BatchWitness(statement: statement, trace: trace, boundarySeed: Digest.random())],
            global: context(Digest.random()), options: ProverOptions(parameters: smallZK))
        XCTAssertThrowsError(try verifyAlone(joined)) {
            XCTAssertEqual($0 as? VerifierError, .malformedProof("an unexpected boundary commitment"))
        }
        let elsewhere = try proveBatch(
            [witness], globalFromMainRoot: { _ in context(Digest.random()) },
            options: ProverOptions(parameters: smallZK))
        XCTAssertThrowsError(try verifyAlone(elsewhere))
    }

    func testAProofOfAGlobalBusNeedsTheJointChallenges() throws {
        let trace = RelayAIR.trace(rows: rows, start: .one)
        XCTAssertThrowsError(
            try prove(air: air, trace: trace, publicInputs: [], options: ProverOptions(parameters: smallZK)))
        let (proofs, _) = try proveJoined([trace], from: .one, to: Fp(UInt64(rows)))
        XCTAssertThrowsError(try verify(proof: proofs[0], air: air, publicInputs: [], policy: lenient)) {
            guard case .statementMismatch = $0 as? VerifierError else { return XCTFail("\($0)") }
        }
    }

    func testAGlobalBusReadsOnlyBoundaryColumns() {
        var b = AIRBuilder(name: "bad")
        let x = b.boundaryColumn("x", "boundary")
        let y = b.column("y", "main")
        b.constrain("x", .everyRow, x * y)
        b.busEntry("g", global: true, multiplicity: .constant(.one), [y])
        XCTAssertThrowsError(try b.build()) {
            XCTAssertTrue("\($0)".contains("reads only boundary columns"), "\($0)")
        }
    }

    func testCircuitFileSyntaxForBoundaryColumnsAndGlobalBuses() throws {
        let text = """
            air relay_file
            boundary column first  # 1 on row 0
            boundary column start  # received
            column count           # counts
            constraint a first_row: first - 1
            constraint b transition: first'
            constraint c first_row: count - start
            constraint d transition: count' - count - 1
            constraint e transition: start' - start
            global bus relay
                entry first : [start]
            """
        let loaded = try AIR(circuitSource: text, fileName: "relay.air")
        XCTAssertEqual(loaded.boundaryColumnCount, 2)
        XCTAssertEqual(loaded.globalBuses, [0])
        // Printing and loading again gives the same circuit.
        let again = try AIR(circuitSource: loaded.circuitSource, fileName: "again.air")
        XCTAssertEqual(again.canonicalDescription, loaded.canonicalDescription)
        XCTAssertTrue(loaded.canonicalDescription.contains("boundary 2\n"))
        XCTAssertTrue(loaded.canonicalDescription.contains("global bus relay 1\n"))
        let misplaced = text.replacingOccurrences(of: "boundary column start", with: "column start2 # x\nboundary column start")
        XCTAssertThrowsError(try AIR(circuitSource: misplaced, fileName: "bad.air")) {
            XCTAssertTrue("\($0)".contains("boundary columns come before"), "\($0)")
        }
    }
}
