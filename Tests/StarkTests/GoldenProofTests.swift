import AIR
import ExampleAIRs
import Field
import Foundation
import Hashing
import Proof
import Prover
import Verifier
import XCTest

/// The proofs in `Vectors/proofs/`: valid ones that must keep verifying, and invalid ones that must keep failing
/// with exactly their error. `ZKVM_WRITE_VECTORS=1` makes them again (see `Vectors/proofs/README.md`); otherwise
/// the files are only read.
final class GoldenProofTests: XCTestCase {
    // MARK: - What the files are

    /// A statement a golden proof is about: the circuit and its public inputs.
    struct Statement {
        var name: String
        var air: AIR
        var publicInputs: [Fp]
    }

    static let fibonacci64: Statement = {
        let (_, inputs) = FibonacciAIR.trace(rows: 64)
        return Statement(name: "fibonacci 64 rows from (1, 1)", air: FibonacciAIR.air, publicInputs: inputs)
    }()
    static let fibonacci2048: Statement = {
        let (_, inputs) = FibonacciAIR.trace(rows: 2048)
        return Statement(name: "fibonacci 2048 rows from (1, 1)", air: FibonacciAIR.air, publicInputs: inputs)
    }()
    static let rescue64: Statement = {
        let (_, inputs) = RescueShapedAIR.trace(rows: 64, seed: 1)
        return Statement(name: "rescue-shaped 64 rounds, seed 1", air: RescueShapedAIR.air, publicInputs: inputs)
    }()
    static let rangeCheck = RangeCheckAIR(bits: 6)
    static let rangeCheck128 = Statement(
        name: "range check, 6 bits, 128 rows", air: rangeCheck.air, publicInputs: [])
    static let fibonacci128: Statement = {
        let (_, inputs) = FibonacciAIR.trace(rows: 128)
        return Statement(name: "fibonacci 128 rows from (1, 1)", air: FibonacciAIR.air, publicInputs: inputs)
    }()

    /// Small zero-knowledge parameters: valid, far too weak for the default policy. The traces proven with them have
    /// 128 rows, room for a mask covering every point a proof reveals (see docs/zero-knowledge.md).
    static let smallZeroKnowledge = ProofParameters(
        logBlowup: 2, queryCount: 8, grindingBits: 4, logFoldingFactor: 2, logRemainderDegree: 3)

    /// The valid proofs, by file name, as the generator makes them.
    static func makeValidProofs() throws -> [String: StarkProof] {
        var rng = SeededGenerator(seed: 7)
        let values = (0..<128).map { _ in rng.next() % 64 }
        let fib64 = FibonacciAIR.trace(rows: 64)
        let fib128 = FibonacciAIR.trace(rows: 128)
        let fib2048 = FibonacciAIR.trace(rows: 2048)
        let rescue = RescueShapedAIR.trace(rows: 64, seed: 1)
        func make(_ air: AIR, _ trace: TraceTable, _ inputs: [Fp], _ p: ProofParameters) throws -> StarkProof {
            try prove(air: air, trace: trace, publicInputs: inputs, options: ProverOptions(parameters: p))
        }
        return [
            "fibonacci-64-test.bin": try make(
                FibonacciAIR.air, fib64.trace, fib64.publicInputs, Profile.test.parameters),
            "rescue-64-test.bin": try make(
                RescueShapedAIR.air, rescue.trace, rescue.publicInputs, Profile.test.parameters),
            "range-check-128-zk.bin": try make(
                rangeCheck.air, rangeCheck.trace(values: values), [], smallZeroKnowledge),
            "fibonacci-2048-default.bin": try make(
                FibonacciAIR.air, fib2048.trace, fib2048.publicInputs, Profile.default.parameters),
            "weak-params.bin": try make(FibonacciAIR.air, fib128.trace, fib128.publicInputs, smallZeroKnowledge),
        ]
    }

    /// One file: what it holds, how it is checked and what checking it must give.
    struct Vector {
        var file: String
        var statement: Statement
        var policy: NamedPolicy
        /// nil: the proof must be accepted.
        var expected: Rejection?
        /// How the file is made, for the manifest.
        var made: String
        /// The proof this one is derived from (itself for a valid proof); files derived from test-profile proofs
        /// are a deterministic function of the protocol.
        var source: String
        /// Makes the bytes from the source proof.
        var make: (StarkProof) throws -> [UInt8]
    }

    /// A verifier policy and the name the manifest gives it.
    typealias NamedPolicy = (name: String, policy: VerifierPolicy)
    static let lenientPolicy: NamedPolicy = (name: "lenient", policy: lenient)
    static let defaultPolicy: NamedPolicy = (name: "default", policy: VerifierPolicy.default)

    static func vectors() throws -> [Vector] {
        let fib = "fibonacci-64-test.bin"
        let range = "range-check-128-zk.bin"
        func valid(_ file: String, _ statement: Statement, _ policy: NamedPolicy, _ made: String) -> Vector {
            Vector(
                file: file, statement: statement, policy: policy, expected: nil, made: made, source: file,
                make: { $0.encoded() })
        }
        func changed(
            _ file: String, from source: String, _ statement: Statement, _ expected: Rejection, _ made: String,
            _ change: @escaping (inout StarkProof) throws -> Void
        ) -> Vector {
            Vector(
                file: file, statement: statement, policy: lenientPolicy, expected: expected, made: made, source: source,
                make: { proof in
                    var p = proof
                    try change(&p)
                    return p.encoded()
                })
        }
        func bytes(
            _ file: String, from source: String, _ statement: Statement, _ expected: Rejection, _ made: String,
            _ change: @escaping ([UInt8]) -> [UInt8]
        ) -> Vector {
            Vector(
                file: file, statement: statement, policy: lenientPolicy, expected: expected, made: made, source: source,
                make: { change($0.encoded()) })
        }
        let weakShape = try StarkShape(air: FibonacciAIR.air, parameters: smallZeroKnowledge, logTraceLength: 7)
        let rangeDigest = StarkProtocol.circuitDigest(of: rangeCheck.air)
        let fibDigest = StarkProtocol.circuitDigest(of: FibonacciAIR.air)
        let fibShape = try StarkShape(air: FibonacciAIR.air, parameters: Profile.test.parameters, logTraceLength: 6)
        return [
            valid(fib, fibonacci64, lenientPolicy, "Fibonacci, 64 rows, test profile (no zero knowledge)"),
            valid(
                "rescue-64-test.bin", rescue64, lenientPolicy,
                "RescueShaped, 64 rows, test profile: periodic columns, degree-3 constraints"),
            valid(range, rangeCheck128, lenientPolicy, "RangeCheck, LogUp bus, zero knowledge (blowup 4, 8 queries)"),
            valid(
                "fibonacci-2048-default.bin", fibonacci2048, defaultPolicy,
                "Fibonacci, 2048 rows, default profile: accepted by the default policy"),
            Vector(
                file: "weak-params.bin", statement: fibonacci128, policy: defaultPolicy,
                expected: .verification(
                    .parametersRefused(provenBits: weakShape.security(air: FibonacciAIR.air).provenBits, required: 100)),
                made: "Fibonacci, 128 rows, zero knowledge with blowup 4 and 8 queries: valid but weak",
                source: "weak-params.bin", make: { $0.encoded() }),
            bytes(
                "bad-magic.bin", from: fib, fibonacci64, .decoding(.badMagic),
                "fibonacci-64-test.bin, first byte 'Z' → 'z'"
            ) { b in [0x7A] + b.dropFirst() },
            bytes(
                "wrong-version.bin", from: fib, fibonacci64,
                .decoding(.unsupportedVersion(found: StarkProtocol.version + 1, supported: StarkProtocol.version)),
                "fibonacci-64-test.bin, version field \(StarkProtocol.version) → \(StarkProtocol.version + 1)"
            ) { b in Array(b[0..<8]) + [UInt8(StarkProtocol.version + 1), 0] + b[10...] },
            bytes(
                "truncated.bin", from: fib, fibonacci64, .decoding(.truncated(offset: 154, needed: 26, available: 6)),
                "fibonacci-64-test.bin cut to its first 160 bytes, inside the main root"
            ) { b in Array(b.prefix(160)) },
            changed(
                "wrong-circuit.bin", from: fib, fibonacci64,
                .verification(.circuitMismatch(expected: fibDigest, found: rangeDigest)),
                "fibonacci-64-test.bin claiming the range check's circuit id"
            ) { $0.circuitDigest = rangeDigest },
            changed(
                "tampered-ood.bin", from: fib, fibonacci64, .verification(.outOfDomainMismatch),
                "fibonacci-64-test.bin, first main column at z plus one"
            ) { $0.outOfDomain.main[0] += .one },
            changed(
                "wrong-remainder-length.bin", from: fib, fibonacci64,
                .verification(
                    .malformedProof(
                        "remainder coefficients: \(fibShape.remainderLength - 1) values; expected \(fibShape.remainderLength)"
                    )),
                "fibonacci-64-test.bin without its last remainder coefficient"
            ) { $0.remainder.removeLast() },
            changed(
                "bad-pow.bin", from: fib, fibonacci64, .verification(.proofOfWork),
                "fibonacci-64-test.bin with the smallest larger nonce that fails the proof of work"
            ) { proof in
                repeat {
                    proof.proofOfWorkNonce += 1
                } while try VerifierReplay(proof: proof, air: FibonacciAIR.air)
                    .proofOfWorkIsValid
            },
            changed(
                "bad-merkle.bin", from: fib, fibonacci64,
                .verification(.merkleOpening(commitment: "main trace", .rootMismatch)),
                "fibonacci-64-test.bin, first opened main row's first value plus one"
            ) { $0.mainOpening.rows[0][0] += .one },
            changed(
                "bad-salt.bin", from: range, rangeCheck128,
                .verification(.merkleOpening(commitment: "auxiliary trace", .rootMismatch)),
                "range-check-128-zk.bin, first auxiliary salt's first byte XOR 1"
            ) { proof in
                var salt = proof.auxOpening!.salts[0].bytes
                salt[0] ^= 1
                proof.auxOpening!.salts[0] = try Salt(bytes: salt)
            },
            changed(
                "bad-fri-layer.bin", from: range, rangeCheck128,
                .verification(.fri(.layerMismatch(layer: 1))),
                "range-check-128-zk.bin, first value sent of FRI layer 1 plus one"
            ) { $0.friOpenings[1].alterFirstValueSent() },
        ]
    }

    // MARK: - Files

    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Vectors/proofs")

    static func read(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(file)))
    }

    /// The manifest: one line per file with its statement, the policy it is checked under and its outcome.
    static func manifest(_ vectors: [Vector]) -> String {
        var lines = [
            "# Golden proofs, one per line: file | statement | verifier policy | how it was made | outcome (accept, or",
            "# reject with the decoder's or verifier's exact message). Written by GoldenProofTests when",
            "# ZKVM_WRITE_VECTORS=1 is set; see README.md.",
        ]
        for v in vectors {
            let outcome = v.expected.map { "reject: \($0)" } ?? "accept"
            lines.append("\(v.file) | \(v.statement.name) | \(v.policy.name) | \(v.made) | \(outcome)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Tests

    func testGoldenProofsKeepTheirOutcomes() throws {
        let vectors = try Self.vectors()
        if ProcessInfo.processInfo.environment["ZKVM_WRITE_VECTORS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            let proofs = try Self.makeValidProofs()
            for v in vectors {
                let bytes = try v.make(proofs[v.source]!)
                try Data(bytes).write(to: Self.directory.appendingPathComponent(v.file))
            }
            try Data(Self.manifest(vectors).utf8).write(to: Self.directory.appendingPathComponent("manifest.txt"))
            print("golden proofs: wrote \(vectors.count) files and manifest.txt to \(Self.directory.path)")
        }
        let manifest = try String(contentsOf: Self.directory.appendingPathComponent("manifest.txt"), encoding: .utf8)
        XCTAssertEqual(manifest, Self.manifest(vectors), "manifest.txt does not describe these vectors")
        var accepted = 0
        var rejected = 0
        for v in vectors {
            let bytes = try Self.read(v.file)
            let outcome = rejection(
                of: bytes, air: v.statement.air, publicInputs: v.statement.publicInputs, policy: v.policy.policy)
            XCTAssertEqual(outcome, v.expected, "\(v.file)")
            if v.expected == nil {
                accepted += 1
            } else {
                rejected += 1
            }
            // Every invalid file is invalid for its stated reason only: its source proof is accepted.
            if v.source != v.file || v.expected != nil {
                let source = try Self.read(v.source)
                XCTAssertNil(
                    rejection(of: source, air: v.statement.air, publicInputs: v.statement.publicInputs),
                    "\(v.file): its source \(v.source) does not verify under the lenient policy")
            }
            print("golden proofs: \(v.file), \(bytes.count) bytes: \(outcome.map { "\($0)" } ?? "accepted")")
        }
        print("golden proofs: \(accepted) accepted, \(rejected) rejected with their exact errors")
    }

    func testTestProfileVectorsAreReproducedByteForByte() throws {
        // Without zero knowledge the prover is deterministic (no masks, no salts, the smallest valid nonce), so the
        // generator must make exactly the committed bytes. A difference means the protocol changed: regenerate on
        // purpose, and expect proofs made before to fail.
        let proofs = try Self.makeValidProofs()
        var reproduced = 0
        for v in try Self.vectors() where !proofs[v.source]!.parameters.zeroKnowledge {
            XCTAssertEqual(try v.make(proofs[v.source]!), try Self.read(v.file), "\(v.file) is not reproduced")
            reproduced += 1
        }
        print("golden proofs: \(reproduced) files derived from test-profile proofs reproduced byte for byte")
    }
}
