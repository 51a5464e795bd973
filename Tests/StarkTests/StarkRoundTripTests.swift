import AIR
import ExampleAIRs
import FRI
import Field
import Hashing
import Proof
import Prover
import Verifier
import XCTest

/// Small parameters with zero knowledge on, so tiny traces can be masked.
let smallZK = ProofParameters(logBlowup: 2, queryCount: 8, grindingBits: 4, logFoldingFactor: 2, logRemainderDegree: 3)
let lenient = VerifierPolicy(minimumProvenBits: 0)

extension MerkleOpening {
    /// Adds one to the first value the opening sends: an FRI layer's first row may send none, when the verifier
    /// computes every value of its coset.
    mutating func alterFirstValueSent() {
        guard let row = rows.firstIndex(where: { !$0.isEmpty }) else { return }
        rows[row][0] += .one
    }
}

final class StarkRoundTripTests: XCTestCase {
    func testFibonacciProvesAndVerifies() throws {
        for parameters in [Profile.test.parameters, smallZK] {
            let (trace, inputs) = FibonacciAIR.trace(rows: 128)
            let proof = try prove(
                air: FibonacciAIR.air, trace: trace, publicInputs: inputs,
                options: ProverOptions(parameters: parameters))
            try verify(proof: proof, air: FibonacciAIR.air, publicInputs: inputs, policy: lenient)
            var wrong = inputs
            wrong[2] += .one
            XCTAssertThrowsError(try verify(proof: proof, air: FibonacciAIR.air, publicInputs: wrong, policy: lenient))
            {
                XCTAssertEqual(
                    $0 as? VerifierError, .statementMismatch("the proof's public inputs differ from the expected ones"))
            }
        }
    }

    func testRangeCheckWithLogUpProvesAndVerifies() throws {
        let range = RangeCheckAIR(bits: 6)
        var rng = SeededGenerator(seed: 5)
        let trace = range.trace(values: (0..<128).map { _ in rng.next() % 64 })
        for parameters in [Profile.test.parameters, smallZK] {
            let proof = try prove(
                air: range.air, trace: trace, publicInputs: [], options: ProverOptions(parameters: parameters))
            XCTAssertNotNil(proof.auxRoot)
            try verify(proof: proof, air: range.air, publicInputs: [], policy: lenient)
        }
    }

    func testRescueShapedProvesAndVerifies() throws {
        let (trace, inputs) = RescueShapedAIR.trace(rows: 128)
        for parameters in [Profile.test.parameters, smallZK] {
            let proof = try prove(
                air: RescueShapedAIR.air, trace: trace, publicInputs: inputs,
                options: ProverOptions(parameters: parameters))
            try verify(proof: proof, air: RescueShapedAIR.air, publicInputs: inputs, policy: lenient)
        }
    }

    func testMainColumnsComputedACosetAtATimeGiveTheSameProof() throws {
        // Without zero knowledge a proof is deterministic, so the two ways of holding the main columns must give the
        // same bytes: the Rescue-shaped AIR has periodic columns and degree 3 (every coset of 4n), the range check
        // auxiliary columns, and blowup 8 commits more cosets than the composition reads.
        let range = RangeCheckAIR(bits: 6)
        var rng = SeededGenerator(seed: 6)
        let rangeTrace = range.trace(values: (0..<128).map { _ in rng.next() % 64 })
        let (rescueTrace, rescueInputs) = RescueShapedAIR.trace(rows: 128)
        let transparent = [
            ProofParameters(logBlowup: 2, queryCount: 8, grindingBits: 0, logFoldingFactor: 1, zeroKnowledge: false),
            ProofParameters(logBlowup: 3, queryCount: 6, grindingBits: 0, logFoldingFactor: 2, zeroKnowledge: false),
        ]
        for parameters in transparent {
            for (air, trace, inputs) in [
                (range.air, rangeTrace, [Fp]()), (RescueShapedAIR.air, rescueTrace, rescueInputs),
            ] {
                let kept = try prove(
                    air: air, trace: trace, publicInputs: inputs, options: ProverOptions(parameters: parameters))
                let recomputed = try prove(
                    air: air, trace: trace, publicInputs: inputs,
                    options: ProverOptions(parameters: parameters, mainExtensionMemoryLimit: 0))
                XCTAssertEqual(recomputed.encoded(), kept.encoded(), "\(air.name), blowup \(parameters.blowup)")
            }
        }
        // With zero knowledge the proof verifies, and a changed opened row of the recomputed columns does not. The
        // mask takes the composition to four cosets, of which it reads three whole: limits between none kept and all
        // kept keep copies of a few columns of coset 1, then all of it and part of coset 2, which the composition
        // reads instead of computing them (a wrong copy would give a composition that fails the out-of-domain check).
        let allKept = rescueTrace.columns.count * smallZK.blowup * rescueTrace.rowCount * Fp.byteCount
        for limit in [0] + (5...9).map({ allKept * $0 / 10 }) {
            let proof = try prove(
                air: RescueShapedAIR.air, trace: rescueTrace, publicInputs: rescueInputs,
                options: ProverOptions(parameters: smallZK, mainExtensionMemoryLimit: limit))
            try verify(proof: proof, air: RescueShapedAIR.air, publicInputs: rescueInputs, policy: lenient)
            var tampered = proof
            tampered.mainOpening.rows[2][5] += .one
            XCTAssertThrowsError(
                try verify(proof: tampered, air: RescueShapedAIR.air, publicInputs: rescueInputs, policy: lenient),
                "limit \(limit)")
        }
    }

    func testFRIVerifierRefusesLayersThatDoNotMatch() {
        let root = Blake2b.hash([1])
        let opening = MerkleOpening(rows: [], salts: [], nodes: [])
        for (roots, openings, betas) in [
            ([root], [MerkleOpening](), [Fp.one]), ([root], [opening], []), ([], [opening], [Fp.one]),
        ] {
            XCTAssertThrowsError(
                try FRIVerifier.verify(
                    positions: [0], values: [.zero], betas: betas, roots: roots, openings: openings, remainder: [.zero],
                    remainderLength: 1, ldeSize: 16, offset: .generator, logFoldingFactor: 1, salted: false)
            ) { error in
                XCTAssertEqual(
                    error as? FRIError,
                    .layerCount(roots: roots.count, openings: openings.count, challenges: betas.count))
            }
        }
    }

    func testTamperedProofsAreRejected() throws {
        let range = RangeCheckAIR(bits: 6)
        let trace = range.trace(values: Array(0..<128).map { $0 % 64 })
        let proof = try prove(
            air: range.air, trace: trace, publicInputs: [], options: ProverOptions(parameters: smallZK))
        func rejected(_ change: (inout StarkProof) -> Void) -> VerifierError? {
            var p = proof
            change(&p)
            do {
                try verify(proof: p, air: range.air, publicInputs: [], policy: lenient)
                return nil
            } catch { return error }
        }
        let flip = Blake2b.hash([1, 2, 3])
        XCTAssertNotNil(rejected { $0.mainRoot = flip })
        XCTAssertNotNil(rejected { $0.auxRoot = flip })
        XCTAssertNotNil(rejected { $0.compositionRoot = flip })
        XCTAssertEqual(rejected { $0.outOfDomain.main[0] += .one }, .outOfDomainMismatch)
        XCTAssertNotNil(rejected { $0.outOfDomain.aux[1] += .one })
        XCTAssertNotNil(rejected { $0.outOfDomain.composition[0] += .one })
        XCTAssertNotNil(rejected { $0.remainder[0] += .one })
        XCTAssertNotNil(rejected { $0.proofOfWorkNonce &+= 1 })
        XCTAssertNotNil(rejected { $0.mainOpening.rows[0][0] += .one })
        XCTAssertNotNil(rejected { $0.compositionOpening.rows[3][1] += .one })
        XCTAssertNotNil(rejected { $0.friOpenings[0].alterFirstValueSent() })
        XCTAssertEqual(rejected { $0.version = 9 }, .unsupportedVersion(found: 9, supported: StarkProtocol.version))
        XCTAssertNotNil(rejected { $0.parameters.queryCount += 1 })
    }
}

/// A bus whose other side the verifier supplies: every trace value must be one of a public multiset.
final class PublicBusEntryTests: XCTestCase {
    let air = try! AIR(
        name: "public_set",
        mainColumns: [Column("value", doc: "a value that must be in the public set")],
        constraints: [],
        buses: [LogUpBus("set", entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)])])])

    func testTraceMatchingThePublicMultisetVerifiesAndAnyOtherIsRejected() throws {
        let values: [UInt64] = (0..<128).map { $0 % 8 }
        let trace = try TraceTable(columns: [values.map { Fp($0) }])
        // Each of 0…7 appears 16 times: the public side takes them back with multiplicity −16.
        let publicSide = [(0..<8).map { PublicBusEntry(multiplicity: -Fp(16), values: [Fp(UInt64($0))]) }]
        for parameters in [Profile.test.parameters, smallZK] {
            let proof = try prove(
                air: air, trace: trace, publicInputs: [], publicBusEntries: publicSide,
                options: ProverOptions(parameters: parameters))
            try verify(proof: proof, air: air, publicInputs: [], publicBusEntries: publicSide, policy: lenient)

            var other = publicSide
            other[0][7] = PublicBusEntry(multiplicity: -Fp(16), values: [Fp(9)])
            XCTAssertThrowsError(
                try verify(proof: proof, air: air, publicInputs: [], publicBusEntries: other, policy: lenient))
            XCTAssertThrowsError(try verify(proof: proof, air: air, publicInputs: [], policy: lenient))
        }
        // A prover whose trace leaves the public multiset cannot even pass its own check.
        var bad = values
        bad[3] = 9
        XCTAssertThrowsError(
            try prove(
                air: air, trace: try TraceTable(columns: [bad.map { Fp($0) }]), publicInputs: [],
                publicBusEntries: publicSide, options: ProverOptions(parameters: Profile.test.parameters)))
    }
}
