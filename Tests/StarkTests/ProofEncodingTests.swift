import AIR
import ExampleAIRs
import Field
import Hashing
import Proof
import Prover
import XCTest

final class ProofEncodingTests: XCTestCase {
    // MARK: - Proofs to encode

    /// Fibonacci over 64 rows with the insecure test profile (no zero knowledge, so no salts).
    static let fibonacciProof: StarkProof = {
        let (trace, inputs) = FibonacciAIR.trace(rows: 64)
        return try! prove(
            air: FibonacciAIR.air, trace: trace, publicInputs: inputs,
            options: ProverOptions(parameters: Profile.test.parameters))
    }()

    /// A LogUp range check, which has auxiliary columns, an auxiliary root and an auxiliary opening.
    static let rangeCheckProof: StarkProof = {
        let air = RangeCheckAIR(bits: 6)
        var rng = SeededGenerator(seed: 7)
        let values = (0..<100).map { _ in rng.next() % 64 }
        return try! prove(
            air: air.air, trace: air.trace(values: values), publicInputs: [],
            options: ProverOptions(parameters: Profile.test.parameters))
    }()

    /// Small parameters with zero knowledge, so every opening carries salts; 512 rows give two committed FRI
    /// layers.
    static let zeroKnowledgeProof: StarkProof = {
        let (trace, inputs) = FibonacciAIR.trace(rows: 512)
        let parameters = ProofParameters(
            logBlowup: 2, queryCount: 8, grindingBits: 4, logFoldingFactor: 2, zeroKnowledge: true)
        return try! prove(
            air: FibonacciAIR.air, trace: trace, publicInputs: inputs, options: ProverOptions(parameters: parameters))
    }()

    static var realProofs: [(name: String, proof: StarkProof)] {
        [
            ("fibonacci", fibonacciProof), ("range check", rangeCheckProof),
            ("zero-knowledge fibonacci", zeroKnowledgeProof),
        ]
    }

    /// A proof value built field by field, exercising shapes the prover does not make (empty lists, many layers).
    static func handBuilt(seed: UInt64, aux: Bool, salted: Bool) -> StarkProof {
        var rng = SeededGenerator(seed: seed)
        func elements(_ n: Int) -> [Fp] { (0..<n).map { _ in Fp.random(using: &rng) } }
        func digest() -> Digest {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return try! Digest(bytes: bytes)
        }
        // A Merkle root or node: 26 random bytes, as a tree makes them.
        func node() -> Digest {
            try! Digest(merkleBytes: (0..<Digest.merkleByteCount).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        func opening(rows: Int, width: Int) -> MerkleOpening {
            MerkleOpening(
                rows: (0..<rows).map { _ in elements(width) },
                salts: salted ? (0..<rows).map { _ in try! Salt(bytes: digest().bytes.prefix(Salt.byteCount)) } : [],
                nodes: (0..<Int.random(in: 0...20, using: &rng)).map { _ in node() })
        }
        let layers = Int.random(in: 0...5, using: &rng)
        return StarkProof(
            version: StarkProtocol.version,
            parameters: ProofParameters(
                logBlowup: 3, queryCount: 12, grindingBits: 9, logFoldingFactor: 2, zeroKnowledge: salted),
            circuitDigest: digest(), logTraceLength: Int.random(in: 1...26, using: &rng),
            publicInputs: elements(Int.random(in: 0...5, using: &rng)), mainRoot: node(),
            auxRoot: aux ? node() : nil, compositionRoot: node(),
            outOfDomain: OutOfDomainValues(
                main: elements(3), mainNext: elements(3), aux: aux ? elements(2) : [], auxNext: aux ? elements(2) : [],
                composition: elements(4)),
            friRoots: (0..<layers).map { _ in node() }, remainder: elements(Int.random(in: 0...8, using: &rng)),
            proofOfWorkNonce: rng.next(), mainOpening: opening(rows: 5, width: 3),
            auxOpening: aux ? opening(rows: 5, width: 2) : nil, compositionOpening: opening(rows: 5, width: 4),
            friOpenings: (0..<layers).map { _ in opening(rows: 4, width: 4) })
    }

    func decode(_ bytes: [UInt8]) -> Result<StarkProof, ProofDecodingError> {
        Result { () throws(ProofDecodingError) in try StarkProof(decoding: bytes) }
    }

    /// The error kind, for counting outcomes.
    func kind(_ error: ProofDecodingError) -> String {
        switch error {
        case .badMagic: return "bad magic"
        case .unsupportedVersion: return "unsupported version"
        case .truncated: return "truncated"
        case .lengthTooLarge: return "length too large"
        case .lengthExceedsInput: return "length exceeds input"
        case .nonCanonicalElement: return "non-canonical element"
        case .invalidParameters: return "invalid parameters"
        case .traceLengthOutOfRange: return "trace length out of range"
        case .invalidFlag: return "invalid flag"
        case .trailingBytes: return "trailing bytes"
        }
    }

    func summary(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    // MARK: - Round trips

    func testRealProofsRoundTrip() throws {
        for (name, proof) in Self.realProofs {
            let bytes = proof.encoded()
            XCTAssertEqual(try StarkProof(decoding: bytes), proof, name)
            print("proof encoding: \(name) proof is \(bytes.count) bytes")
        }
        XCTAssertNotNil(Self.rangeCheckProof.auxRoot)
        XCTAssertNotNil(Self.rangeCheckProof.auxOpening)
        XCTAssertNil(Self.fibonacciProof.auxRoot)
        XCTAssertFalse(Self.zeroKnowledgeProof.mainOpening.salts.isEmpty)
        XCTAssertEqual(Self.zeroKnowledgeProof.friOpenings.count, 3)
    }

    func testHandBuiltProofsRoundTrip() throws {
        for seed in 0..<200 as Range<UInt64> {
            let proof = Self.handBuilt(seed: seed, aux: seed % 2 == 0, salted: seed % 3 == 0)
            let bytes = proof.encoded()
            let decoded = try StarkProof(decoding: bytes)
            XCTAssertEqual(decoded, proof, "seed \(seed)")
            XCTAssertEqual(decoded.encoded(), bytes, "seed \(seed)")
        }
    }

    func testHeaderLayoutMatchesTheSpecification() throws {
        let proof = Self.fibonacciProof
        let bytes = proof.encoded()
        XCTAssertEqual(Array(bytes[0..<8]), Array("ZKVMPRF".utf8) + [0])
        XCTAssertEqual(Array(bytes[8..<10]), [UInt8(StarkProtocol.version & 0xFF), UInt8(StarkProtocol.version >> 8)])
        XCTAssertEqual(Array(bytes[10..<16]), proof.parameters.canonicalBytes)
        XCTAssertEqual(Array(bytes[16..<48]), proof.circuitDigest.bytes)
        XCTAssertEqual(bytes[48], 6)
        XCTAssertEqual(Array(bytes[49..<53]), [3, 0, 0, 0], "three public inputs")
        XCTAssertEqual(Array(bytes[53..<85]), proof.publicInputs[0].canonicalBytes)
        XCTAssertEqual(bytes[149], 0, "no boundary root")
        XCTAssertEqual(Array(bytes[150..<154]), [0, 0, 0, 0], "no global shares")
        XCTAssertEqual(Array(bytes[154..<180]), proof.mainRoot.merkleBytes)
        XCTAssertEqual(bytes[180], 0, "no auxiliary root")
        XCTAssertEqual(Array(bytes[181..<207]), proof.compositionRoot.merkleBytes)
        let ranged = Self.rangeCheckProof.encoded()
        XCTAssertEqual(ranged[53 + 5 + 26], 1, "auxiliary root present")
    }

    // MARK: - Corruption

    func testEveryTruncationIsAnError() throws {
        for (name, proof) in Self.realProofs {
            let bytes = proof.encoded()
            var counts: [String: Int] = [:]
            for length in 0..<bytes.count {
                switch decode(Array(bytes[0..<length])) {
                case .success: XCTFail("\(name): a \(length)-byte prefix decoded")
                case .failure(let error):
                    counts[kind(error), default: 0] += 1
                    if case .badMagic = error {
                        XCTFail("\(name): a prefix of the magic is a truncation, not bad magic")
                    }
                }
            }
            print("proof encoding: \(name), \(bytes.count) truncations: \(summary(counts))")
        }
    }

    func testEverySingleByteChangeIsDetected() throws {
        // Each byte is changed once, by a seeded non-zero XOR; the result must fail to decode or decode to another
        // proof (and then re-encode to exactly the changed bytes: the encoding is canonical).
        var rng = SeededGenerator(seed: 11)
        for (name, proof) in Self.realProofs {
            let bytes = proof.encoded()
            var counts: [String: Int] = [:]
            for position in bytes.indices {
                let delta = UInt8.random(in: 1...255, using: &rng)
                var changed = bytes
                changed[position] ^= delta
                switch decode(changed) {
                case .success(let other):
                    XCTAssertNotEqual(other, proof, "\(name): byte \(position) ^ \(delta) decoded to the same proof")
                    XCTAssertEqual(other.encoded(), changed, "\(name): byte \(position)")
                    counts["decoded to another proof", default: 0] += 1
                case .failure(let error): counts[kind(error), default: 0] += 1
                }
            }
            print("proof encoding: \(name), \(bytes.count) single-byte changes: \(summary(counts))")
        }
    }

    func testAppendedBytesAreTrailingBytes() throws {
        let bytes = Self.rangeCheckProof.encoded()
        for extra in [1, 7, 32, 1000] {
            let padded = bytes + [UInt8](repeating: 0, count: extra)
            XCTAssertEqual(decode(padded), .failure(.trailingBytes(offset: bytes.count, count: extra)))
        }
        let twice = bytes + bytes
        XCTAssertEqual(decode(twice), .failure(.trailingBytes(offset: bytes.count, count: bytes.count)))
    }

    func testNonCanonicalElementIsReportedWithItsOffset() throws {
        let bytes = Self.fibonacciProof.encoded()
        // p = 2^251 + 17·2^192 + 1 in little-endian bytes.
        var p = [UInt8](repeating: 0, count: 32)
        p[0] = 1
        p[24] = 17
        p[31] = 0x08
        var changed = bytes
        changed.replaceSubrange(53..<85, with: p)
        XCTAssertEqual(decode(changed), .failure(.nonCanonicalElement(offset: 53)))
        changed.replaceSubrange(53..<85, with: [UInt8](repeating: 0xFF, count: 32))
        XCTAssertEqual(decode(changed), .failure(.nonCanonicalElement(offset: 53)))
        // p − 1 is the largest canonical value.
        p[0] = 0
        changed.replaceSubrange(53..<85, with: p)
        let decoded = try StarkProof(decoding: changed)
        XCTAssertEqual(decoded.publicInputs[0], Fp.zero - .one)
        // The last element of the proof: the last opening's last row element, before its salts and nodes.
        // With no committed FRI layer the composition opening is last, followed by the FRI opening count.
        let proof = Self.fibonacciProof
        let last = proof.friOpenings.last ?? proof.compositionOpening
        let trailer = proof.friOpenings.isEmpty ? 4 : 0
        let end = bytes.count - trailer - 4 - Digest.merkleByteCount * last.nodes.count - 4
            - Salt.byteCount * last.salts.count
        changed = bytes
        changed.replaceSubrange(end - 32..<end, with: [UInt8](repeating: 0xFF, count: 32))
        XCTAssertEqual(decode(changed), .failure(.nonCanonicalElement(offset: end - 32)))
    }

    func testEachErrorNamesWhatIsWrong() throws {
        let bytes = Self.rangeCheckProof.encoded()
        func patched(_ range: Range<Int>, _ values: [UInt8]) -> [UInt8] {
            var b = bytes
            b.replaceSubrange(range, with: values)
            return b
        }
        XCTAssertEqual(decode([]), .failure(.truncated(offset: 0, needed: 8, available: 0)))
        XCTAssertEqual(decode(Array("ZKVM".utf8)), .failure(.truncated(offset: 0, needed: 8, available: 4)))
        XCTAssertEqual(decode(Array("hello".utf8)), .failure(.badMagic))
        XCTAssertEqual(decode(patched(0..<1, [0x7A])), .failure(.badMagic))
        XCTAssertEqual(
            decode(patched(8..<10, [7, 0])), .failure(.unsupportedVersion(found: 7, supported: StarkProtocol.version)))
        XCTAssertEqual(
            decode(patched(10..<11, [0])), .failure(.invalidParameters(offset: 10, bytes: [0, 8, 2, 2, 5, 0])))
        XCTAssertEqual(
            decode(patched(15..<16, [2])), .failure(.invalidParameters(offset: 10, bytes: [2, 8, 2, 2, 5, 2])))
        XCTAssertEqual(decode(patched(48..<49, [0])), .failure(.traceLengthOutOfRange(offset: 48, log: 0)))
        XCTAssertEqual(decode(patched(48..<49, [27])), .failure(.traceLengthOutOfRange(offset: 48, log: 27)))
        XCTAssertEqual(
            decode(patched(49..<53, [0x01, 0x10, 0, 0])),
            .failure(.lengthTooLarge(field: "public inputs", offset: 49, count: 4097, limit: 4096)))
        XCTAssertEqual(
            decode(patched(49..<53, [0xFF, 0xFF, 0xFF, 0xFF])),
            .failure(.lengthTooLarge(field: "public inputs", offset: 49, count: 0xFFFF_FFFF, limit: 4096)))
        XCTAssertEqual(decode(Array(bytes[0..<56])), .failure(.truncated(offset: 54, needed: 4, available: 2)))
        XCTAssertEqual(
            decode(Array(bytes[0..<49]) + [9, 0, 0, 0] + [UInt8](repeating: 0, count: 100)),
            .failure(.lengthExceedsInput(field: "public inputs", offset: 49, count: 9, remaining: 100)))
        XCTAssertEqual(
            decode(patched(53..<54, [2])), .failure(.invalidFlag(field: "boundary root", offset: 53, value: 2)))
        XCTAssertEqual(
            decode(patched(54..<58, [0x01, 0x10, 0, 0])),
            .failure(.lengthTooLarge(field: "global shares", offset: 54, count: 4097, limit: 4096)))
        XCTAssertEqual(
            decode(patched(84..<85, [2])), .failure(.invalidFlag(field: "auxiliary root", offset: 84, value: 2)))
        XCTAssertEqual(decode(bytes + [0]), .failure(.trailingBytes(offset: bytes.count, count: 1)))
        for error in [
            ProofDecodingError.badMagic, .truncated(offset: 3, needed: 8, available: 5),
            .nonCanonicalElement(offset: 53), .trailingBytes(offset: 9, count: 1),
        ] {
            XCTAssertFalse(error.description.isEmpty)
        }
        XCTAssertEqual(
            ProofDecodingError.lengthExceedsInput(field: "public inputs", offset: 49, count: 9, remaining: 100)
                .description,
            "public inputs count 9 at byte 49 needs more than the 100 bytes left")
    }

    // MARK: - Fuzzing

    func testFuzzedInputsNeverTrap() throws {
        var rng = SeededGenerator(seed: 0x5A4B_564D)
        // Only deterministic encodings, so the whole run is fixed by the seed: the zero-knowledge proof draws fresh
        // masks and salts each time, so salted openings come from hand-built proofs instead.
        var valid: [[UInt8]] = [Self.fibonacciProof.encoded(), Self.rangeCheckProof.encoded()]
        for i in 0..<4 {
            valid.append(Self.handBuilt(seed: 1000 + UInt64(i), aux: i % 2 == 0, salted: i < 2).encoded())
        }
        var counts: [String: Int] = [:]
        var runs = 0
        func record(_ bytes: [UInt8]) {
            runs += 1
            switch decode(bytes) {
            case .success(let proof):
                // Whatever decodes re-encodes to the same bytes: the format has one encoding per proof.
                XCTAssertEqual(proof.encoded(), bytes)
                counts["decoded", default: 0] += 1
            case .failure(let error): counts[kind(error), default: 0] += 1
            }
        }

        // Random byte strings, half of them behind a valid header so the decoder gets past the magic.
        let header = Array(valid[0][0..<49])
        for i in 0..<10_000 {
            let length = Int.random(in: 0...600, using: &rng)
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            record(i % 2 == 0 ? noise : header + noise)
        }

        // Mutations of valid encodings.
        for _ in 0..<12_000 {
            var bytes = valid[Int.random(in: 0..<valid.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<7, using: &rng) {
                case 0:  // flip a byte
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                case 1:  // cut
                    bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
                case 2:  // insert random bytes
                    let at = Int.random(in: 0...bytes.count, using: &rng)
                    bytes.insert(
                        contentsOf: (0..<Int.random(in: 1...40, using: &rng)).map { _ in
                            UInt8.random(in: 0...255, using: &rng)
                        }, at: at)
                case 3:  // delete a run
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
                case 4:  // overwrite four bytes with a large little-endian count
                    let at = Int.random(in: 0..<max(1, bytes.count - 4), using: &rng)
                    let value = [UInt32.max, 1 << 20, 1 << 31, UInt32(bytes.count), 4097, 65_537][
                        Int.random(in: 0..<6, using: &rng)]
                    for k in 0..<min(4, bytes.count - at) {
                        bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k)))
                    }
                case 5:  // duplicate a slice
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes.insert(
                        contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...200, using: &rng))], at: at)
                default:  // set a byte to 0, 1 or 0xFF (flags, counts and element tops)
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] =
                        [0, 1, 0xFF][Int.random(in: 0..<3, using: &rng)]
                }
                if bytes.isEmpty { break }
            }
            record(bytes)
        }
        XCTAssertGreaterThanOrEqual(runs, 20_000)
        print("proof encoding: \(runs) fuzzed inputs, none trapped: \(summary(counts))")
    }
}
