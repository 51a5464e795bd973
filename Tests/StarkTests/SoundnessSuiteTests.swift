import AIR
import ExampleAIRs
import FRI
import Field
import Hashing
import Proof
import Prover
import Verifier
import XCTest

// MARK: - Replaying the verifier's transcript

/// The challenges a verifier draws for a proof, replayed with the protocol's shared steps, so that tests can see
/// which points a proof opens and what the verifier will compare.
struct VerifierReplay {
    let shape: StarkShape
    let auxChallenges: [Fp]
    let busPublicSums: [Fp]
    let gammas: [Fp]
    let z: Fp
    let deep: StarkProtocol.DeepCoefficients
    let betas: [Fp]
    /// Whether the nonce passes the proof of work; the queries are drawn only when it does.
    let proofOfWorkIsValid: Bool
    /// The queried positions (leaves of every commitment over the extended domain), in the order the openings list
    /// them, and their layer-0 folding cosets.
    let leaves: [Int]
    var cosets: [Int] {
        Array(Set(leaves.map { $0 >> shape.parameters.logFoldingFactor })).sorted()
    }

    /// The next-row out-of-domain point, z·ω.
    var zNext: Fp { z * shape.traceGenerator }

    init(proof: StarkProof, air: AIR, publicBusEntries: [[PublicBusEntry]] = []) throws {
        shape = try StarkShape(air: air, parameters: proof.parameters, logTraceLength: proof.logTraceLength)
        var t = StarkProtocol.startTranscript(
            circuitDigest: proof.circuitDigest, parameters: proof.parameters, logTraceLength: proof.logTraceLength,
            publicInputs: proof.publicInputs, publicBusEntries: publicBusEntries)
        t.absorb("main-root", digest: proof.mainRoot)
        auxChallenges = air.challengeCount > 0 ? t.challenges("aux", count: air.challengeCount) : []
        if let auxRoot = proof.auxRoot { t.absorb("aux-root", digest: auxRoot) }
        busPublicSums = try air.busPublicSums(publicBusEntries, challenges: auxChallenges)
        gammas = t.challenges("composition", count: air.constraints.count)
        t.absorb("composition-root", digest: proof.compositionRoot)
        z = StarkProtocol.drawOutOfDomainPoint(&t, shape: shape)
        StarkProtocol.absorb(proof.outOfDomain, into: &t)
        deep = StarkProtocol.drawDeepCoefficients(&t, air: air, shape: shape)
        var betas: [Fp] = []
        for layer in 0...shape.friLayerCount {
            t.absorb("fri-root", digest: proof.friRoots[layer])
            betas.append(t.challenge("fri-fold"))
        }
        self.betas = betas
        t.absorb("fri-remainder", elements: proof.remainder)
        proofOfWorkIsValid = t.proofOfWorkIsValid(bits: proof.parameters.grindingBits, nonce: proof.proofOfWorkNonce)
        if proofOfWorkIsValid {
            try t.verifyProofOfWork(bits: proof.parameters.grindingBits, nonce: proof.proofOfWorkNonce)
            leaves = StarkProtocol.drawQueries(&t, shape: shape)
        } else {
            leaves = []
        }
    }

    /// The point of the extended domain committed at `leaf`.
    func point(leaf: Int) -> Fp {
        let logSize = shape.ldeSize.trailingZeroBitCount
        return Folding.point(
            position: leaf, logSize: logSize, offset: StarkProtocol.domainOffset, rootLogOrder: logSize)
    }

    /// Σ γ_c·C_c(z)/D_c(z) for these out-of-domain trace values: what the composition segments must add up to.
    func expectedComposition(_ ood: OutOfDomainValues, air: AIR, publicInputs: [Fp]) -> Fp {
        StarkProtocol.compositionAtOutOfDomainPoint(
            air: air, ood: ood, z: z, shape: shape, publicInputs: publicInputs, challenges: auxChallenges,
            busPublicSums: busPublicSums, gammas: gammas)
    }

    /// Σ z^(i·n)·H_i(z): what the proof's composition segments add up to.
    func claimedComposition(_ ood: OutOfDomainValues) -> Fp {
        StarkProtocol.compositionFromSegments(ood, z: z, shape: shape)
    }

    /// Changes the first composition segment so that the out-of-domain check holds again for `ood`: a change to
    /// the other values then shows only through the challenges drawn after them.
    func rebalance(_ ood: inout OutOfDomainValues, air: AIR, publicInputs: [Fp]) {
        ood.composition[0] += expectedComposition(ood, air: air, publicInputs: publicInputs) - claimedComposition(ood)
    }
}

// MARK: - Outcomes

/// Why a proof, or its encoding, was not accepted.
enum Rejection: Error, Equatable, CustomStringConvertible {
    case decoding(ProofDecodingError)
    case verification(VerifierError)
    /// The cheating prover could not finish (it found its own trace inconsistent); nothing reached the verifier.
    case prover(String)

    var description: String {
        switch self {
        case .decoding(let e): return "decoding: \(e)"
        case .verification(let e): return "\(e)"
        case .prover(let why): return "prover: \(why)"
        }
    }

    /// The error's case name (and the commitment or layer for openings), for tallies.
    var kind: String {
        switch self {
        case .decoding(let e):
            switch e {
            case .badMagic: return "decoding.badMagic"
            case .unsupportedVersion: return "decoding.unsupportedVersion"
            case .truncated: return "decoding.truncated"
            case .lengthTooLarge: return "decoding.lengthTooLarge"
            case .lengthExceedsInput: return "decoding.lengthExceedsInput"
            case .nonCanonicalElement: return "decoding.nonCanonicalElement"
            case .invalidParameters: return "decoding.invalidParameters"
            case .traceLengthOutOfRange: return "decoding.traceLengthOutOfRange"
            case .invalidFlag: return "decoding.invalidFlag"
            case .trailingBytes: return "decoding.trailingBytes"
            }
        case .prover: return "prover gave up"
        case .verification(let e):
            switch e {
            case .malformedProof: return "malformedProof"
            case .unsupportedVersion: return "unsupportedVersion"
            case .circuitMismatch: return "circuitMismatch"
            case .parametersRefused: return "parametersRefused"
            case .statementMismatch: return "statementMismatch"
            case .outOfDomainMismatch: return "outOfDomainMismatch"
            case .globalBusUnbalanced: return "globalBusUnbalanced"
            case .merkleOpening(let commitment, _): return "merkleOpening(\(commitment))"
            case .fri(let f):
                switch f {
                case .layerOpening(let layer, _): return "fri.layerOpening(\(layer))"
                case .layerMismatch(let layer): return "fri.layerMismatch(\(layer))"
                case .openingRowWidth(let layer, _, _, _): return "fri.openingRowWidth(\(layer))"
                case .remainderMismatch: return "fri.remainderMismatch"
                case .remainderLength: return "fri.remainderLength"
                case .remainderDegreeTooHigh: return "fri.remainderDegreeTooHigh"
                case .layerCount: return "fri.layerCount"
                // The verifier's own schedule, never the proof, decides these; a STARK proof cannot reach them.
                case .invalidSchedule, .layer0Size, .scheduleLength, .injectionNotOnSchedule, .injectionLength,
                    .missingInjectedValue, .remainderLengthOutOfRange, .invalidScheduleRequest, .landingSizeOutOfRange,
                    .positionsNotIncreasing:
                    return "fri.\(f)"
                }
            case .proofOfWork: return "proofOfWork"
            }
        }
    }

    /// Whether the verifier got as far as the proof of work: it rejected on the nonce or the queries, after every
    /// challenge but the query positions was drawn.
    var isAtOrAfterProofOfWork: Bool {
        guard case .verification(let e) = self else { return false }
        switch e {
        case .proofOfWork, .merkleOpening, .fri: return true
        default: return false
        }
    }
}

/// Decodes and verifies; nil when the bytes are an accepted proof.
func rejection(
    of bytes: [UInt8], air: AIR, publicInputs: [Fp], publicBusEntries: [[PublicBusEntry]] = [],
    policy: VerifierPolicy = lenient
) -> Rejection? {
    let proof: StarkProof
    do { proof = try StarkProof(decoding: bytes) } catch { return .decoding(error) }
    return rejection(
        of: proof, air: air, publicInputs: publicInputs, publicBusEntries: publicBusEntries, policy: policy)
}

/// Verifies; nil when the proof is accepted.
func rejection(
    of proof: StarkProof, air: AIR, publicInputs: [Fp], publicBusEntries: [[PublicBusEntry]] = [],
    policy: VerifierPolicy = lenient
) -> Rejection? {
    do {
        try verify(
            proof: proof, air: air, publicInputs: publicInputs, publicBusEntries: publicBusEntries, policy: policy)
        return nil
    } catch { return .verification(error) }
}

/// Counts by kind, as "kind count, kind count".
func tally(_ rejections: [Rejection]) -> String {
    var counts: [String: Int] = [:]
    for r in rejections { counts[r.kind, default: 0] += 1 }
    return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

// MARK: - The suite

/// Every way we know to make a proof the verifier should refuse, each counted: corrupted bytes, cheating provers,
/// false statements, and a change to every field of a proof.
final class SoundnessSuiteTests: XCTestCase {
    /// Zero knowledge with enough grinding that a change to anything absorbed before the proof of work almost
    /// surely invalidates the nonce (one chance in 4096 to pass it, and then the queries move).
    static let groundZK = ProofParameters(
        logBlowup: 2, queryCount: 8, grindingBits: 12, logFoldingFactor: 2, logRemainderDegree: 3)
    /// The same without zero knowledge (no salts, no masks): the proof is a deterministic function of the trace.
    static let groundPlain = ProofParameters(
        logBlowup: 2, queryCount: 8, grindingBits: 12, logFoldingFactor: 2, logRemainderDegree: 3,
        zeroKnowledge: false)

    /// Rows of the traces proven with zero knowledge: room for a mask covering every point a proof reveals
    /// (2·q + 2 = 18 here; see docs/zero-knowledge.md).
    static let rows = 128

    static let rangeCheck = RangeCheckAIR(bits: 6)
    /// Seeded values in [0, 64).
    static let rangeTrace: TraceTable = {
        var rng = SeededGenerator(seed: 41)
        return rangeCheck.trace(values: (0..<rows).map { _ in rng.next() % 64 })
    }()

    static func honest(
        _ air: AIR, _ trace: TraceTable, _ inputs: [Fp], _ parameters: ProofParameters,
        publicBusEntries: [[PublicBusEntry]] = []
    ) -> StarkProof {
        try! prove(
            air: air, trace: trace, publicInputs: inputs, publicBusEntries: publicBusEntries,
            options: ProverOptions(parameters: parameters))
    }

    /// Proves with the prover's own check off and verifies; the rejection, or nil when the verifier accepted.
    static func cheat(
        air: AIR, trace: TraceTable, publicInputs: [Fp], publicBusEntries: [[PublicBusEntry]] = [],
        parameters: ProofParameters
    ) -> Rejection? {
        let proof: StarkProof
        do {
            proof = try prove(
                air: air, trace: trace, publicInputs: publicInputs, publicBusEntries: publicBusEntries,
                options: ProverOptions(parameters: parameters, _skipConstraintCheck: true))
        } catch {
            // A refused shape is the test's mistake, not a caught cheat.
            if case .shape = error { XCTFail("\(air.name): \(error)") }
            return .prover("\(error)")
        }
        return rejection(of: proof, air: air, publicInputs: publicInputs, publicBusEntries: publicBusEntries)
    }

    // MARK: (a) Every byte flipped

    func testEveryFlippedByteIsRejected() throws {
        let tinyZK = ProofParameters(
            logBlowup: 2, queryCount: 2, grindingBits: 2, logFoldingFactor: 1, logRemainderDegree: 1)
        let (fibonacci, inputs) = FibonacciAIR.trace(rows: 32)
        let range = RangeCheckAIR(bits: 4)
        let rangeTrace = range.trace(values: (0..<16).map { $0 * 5 % 16 })
        let testProfile = Profile.test.parameters
        let cases: [(String, AIR, TraceTable, [Fp], ProofParameters)] = [
            ("fibonacci, 32 rows, test profile", FibonacciAIR.air, fibonacci, inputs, testProfile),
            ("range check, 16 rows, zero knowledge", range.air, rangeTrace, [], tinyZK),
        ]
        for (name, air, trace, inputs, parameters) in cases {
            let bytes = Self.honest(air, trace, inputs, parameters).encoded()
            XCTAssertNil(rejection(of: bytes, air: air, publicInputs: inputs))
            // Every bit of the byte, then only its lowest bit (which turns flags and small counts into their
            // neighbours rather than into nonsense).
            for mask: UInt8 in [0xFF, 0x01] {
                var rejections: [Rejection] = []
                for position in bytes.indices {
                    var changed = bytes
                    changed[position] ^= mask
                    guard let r = rejection(of: changed, air: air, publicInputs: inputs) else {
                        XCTFail("\(name): byte \(position) ^ \(mask) gave an accepted proof")
                        continue
                    }
                    rejections.append(r)
                }
                XCTAssertEqual(rejections.count, bytes.count)
                print(
                    "soundness: \(name): \(bytes.count) bytes each XORed with \(mask), all rejected: "
                        + tally(rejections))
            }
        }
    }

    // MARK: (b) Cheating provers

    func testOneCorruptedCellPerColumnIsRejected() throws {
        let fibonacci = FibonacciAIR.trace(rows: Self.rows)
        let rescue = RescueShapedAIR.trace(rows: Self.rows)
        let cases: [(AIR, TraceTable, [Fp])] = [
            (FibonacciAIR.air, fibonacci.trace, fibonacci.publicInputs),
            (RescueShapedAIR.air, rescue.trace, rescue.publicInputs),
            (Self.rangeCheck.air, Self.rangeTrace, []),
        ]
        var rng = SeededGenerator(seed: 0xC0FFEE)
        var rejections: [Rejection] = []
        for (air, trace, inputs) in cases {
            let n = trace.rowCount
            for column in 0..<air.mainColumns.count {
                // The boundary rows, where only a boundary or only a transition constraint sees the cell, and one
                // row inside.
                for row in [0, 1 + Int(rng.next() % UInt64(n - 2)), n - 1] {
                    for parameters in [Profile.test.parameters, smallZK] {
                        var bad = trace
                        bad.columns[column][row] += Fp.random(using: &rng)
                        guard let r = Self.cheat(air: air, trace: bad, publicInputs: inputs, parameters: parameters)
                        else {
                            XCTFail("\(air.name): column \(air.mainColumns[column].name), row \(row) accepted")
                            continue
                        }
                        rejections.append(r)
                    }
                }
            }
        }
        XCTAssertEqual(rejections.count, 3 * 2 * (2 + 12 + 3))
        print("soundness: \(rejections.count) traces with one corrupted cell, all rejected: \(tally(rejections))")
    }

    func testCorruptedLookupInputsAreRejected() throws {
        // Each cheat changes what the LogUp columns are built from, so the bus cannot balance; the prover builds
        // the auxiliary columns honestly from the corrupted trace.
        let air = Self.rangeCheck.air
        let honest = Self.rangeTrace
        let range = UInt64(1) << UInt64(Self.rangeCheck.bits)
        var cheats: [(String, TraceTable)] = []
        func with(_ name: String, _ change: (inout [[Fp]]) -> Void) {
            var columns = honest.columns
            change(&columns)
            cheats.append((name, try! TraceTable(columns: columns)))
        }
        for outOfRange in [range, range + 1, 1 << 32, UInt64.max] {
            with("value \(outOfRange) with the multiplicities unchanged") { $0[0][5] = Fp(outOfRange) }
            with("value \(outOfRange), its old table entry's multiplicity reduced") { c in
                let old = Int(c[0][5].canonicalLimbs.0)
                c[0][5] = Fp(outOfRange)
                c[2][old] -= .one
            }
        }
        with("value −1 (p − 1)") { $0[0][5] = -Fp.one }
        with("a lookup moved to another table entry, multiplicities unchanged") { c in
            c[0][5] = c[0][5] + (c[0][5] == Fp(range - 1) ? -Fp.one : .one)
        }
        with("a multiplicity moved between table entries") { c in
            c[2][3] += .one
            c[2][4] -= .one
        }
        with("a table entry skipped, the next one counted twice") { c in
            c[1][10] = c[1][11]
        }
        with("every multiplicity zero") { c in c[2] = [Fp](repeating: .zero, count: c[2].count) }
        with("values at 64 with the table's repeated tail raised to 64") { c in
            for i in 0..<32 { c[0][i] = Fp(range) }
            for i in 64..<c[1].count { c[1][i] = Fp(range) }
        }
        var rejections: [Rejection] = []
        for (name, trace) in cheats {
            for parameters in [Profile.test.parameters, smallZK] {
                guard let r = Self.cheat(air: air, trace: trace, publicInputs: [], parameters: parameters) else {
                    XCTFail("range check: \(name) accepted")
                    continue
                }
                rejections.append(r)
            }
        }
        XCTAssertEqual(rejections.count, 2 * cheats.count)
        print("soundness: \(rejections.count) corrupted lookup inputs, all rejected: \(tally(rejections))")
    }

    // MARK: (c) False statements

    func testWrongPublicInputsAreRejected() throws {
        let fibonacci = FibonacciAIR.trace(rows: Self.rows)
        let rescue = RescueShapedAIR.trace(rows: Self.rows)
        var mismatches: [Rejection] = []
        var falseStatements: [Rejection] = []
        for (air, trace, inputs) in [
            (FibonacciAIR.air, fibonacci.trace, fibonacci.publicInputs),
            (RescueShapedAIR.air, rescue.trace, rescue.publicInputs),
        ] {
            for parameters in [Profile.test.parameters, smallZK] {
                let proof = Self.honest(air, trace, inputs, parameters)
                XCTAssertNil(rejection(of: proof, air: air, publicInputs: inputs))
                var statements = [Array(inputs.dropLast()), inputs + [.one], []]
                for i in inputs.indices {
                    var wrong = inputs
                    wrong[i] += .one
                    statements.append(wrong)
                }
                for statement in statements {
                    // The honest proof checked against another statement.
                    guard let r = rejection(of: proof, air: air, publicInputs: statement) else {
                        XCTFail("\(air.name): the proof verified for another statement")
                        continue
                    }
                    XCTAssertEqual(r.kind, "statementMismatch")
                    mismatches.append(r)
                    // A prover claiming the false statement, checked against that statement.
                    guard statement.count == inputs.count else { continue }
                    guard
                        let cheat = Self.cheat(air: air, trace: trace, publicInputs: statement, parameters: parameters)
                    else {
                        XCTFail("\(air.name): a proof of a false statement verified")
                        continue
                    }
                    falseStatements.append(cheat)
                }
            }
        }
        print("soundness: \(mismatches.count) proofs against another statement, all rejected: \(tally(mismatches))")
        print("soundness: \(falseStatements.count) proofs of false statements, all rejected: \(tally(falseStatements))")
    }

    func testWrongPublicBusEntriesAreRejected() throws {
        let air = try AIR(
            name: "public_set",
            mainColumns: [Column("value", doc: "a value that must be in the public set")],
            constraints: [],
            buses: [
                LogUpBus("set", entries: [LogUpEntry(multiplicity: .constant(.one), values: [.main(0, .current)])])
            ])
        let values: [UInt64] = (0..<UInt64(Self.rows)).map { $0 % 8 }
        let trace = try TraceTable(columns: [values.map { Fp($0) }])
        let copies = Fp(UInt64(Self.rows / 8))
        let entries = [(0..<8).map { PublicBusEntry(multiplicity: -copies, values: [Fp(UInt64($0))]) }]
        var alternatives: [[[PublicBusEntry]]] = [[], [[]], entries + [[]], [Array(entries[0].dropLast())]]
        for i in 0..<8 {
            var wrongValue = entries
            wrongValue[0][i].values[0] += Fp(8)
            var wrongMultiplicity = entries
            wrongMultiplicity[0][i].multiplicity += .one
            var extraValue = entries
            extraValue[0][i].values.append(.zero)
            alternatives += [wrongValue, wrongMultiplicity, extraValue]
        }
        // Moving a count from one entry to another keeps the total, not the multiset.
        var moved = entries
        moved[0][0].multiplicity += .one
        moved[0][1].multiplicity -= .one
        alternatives.append(moved)

        var rejections: [Rejection] = []
        var cheats: [Rejection] = []
        for parameters in [Profile.test.parameters, smallZK] {
            let proof = Self.honest(air, trace, [], parameters, publicBusEntries: entries)
            XCTAssertNil(rejection(of: proof, air: air, publicInputs: [], publicBusEntries: entries))
            for other in alternatives {
                guard let r = rejection(of: proof, air: air, publicInputs: [], publicBusEntries: other) else {
                    XCTFail("verified with other public bus entries: \(other)")
                    continue
                }
                rejections.append(r)
            }
            // Cheating provers: a trace value outside the public multiset, and the claimed multiset changed to
            // match a trace it does not describe.
            var bad = values
            bad[3] = 9
            for (trace, claimed) in [
                (try TraceTable(columns: [bad.map { Fp($0) }]), entries), (trace, alternatives[4]),
                (trace, moved),
            ] {
                guard
                    let r = Self.cheat(
                        air: air, trace: trace, publicInputs: [], publicBusEntries: claimed, parameters: parameters)
                else {
                    XCTFail("a cheating prover's bus entries verified")
                    continue
                }
                cheats.append(r)
            }
        }
        print(
            "soundness: \(rejections.count) proofs against other public bus entries, all rejected: \(tally(rejections))"
        )
        print("soundness: \(cheats.count) cheating provers on a public bus, all rejected: \(tally(cheats))")
    }

    // MARK: (d) Transcript coverage: every field of a proof

    /// A change to one field of a proof, and what the verifier must say.
    struct FieldChange {
        enum Expectation {
            /// Any rejection.
            case rejected
            /// The out-of-domain check fails: the change moved z (or the statement changed the constraints).
            case outOfDomain
            /// The change passes every check up to the proof of work, which it invalidates (or, one time in 2^g,
            /// the queries move): the verifier absorbed it before drawing the later challenges.
            case laterChallenge
            /// Exactly this rejection.
            case exactly(Rejection)
        }
        var field: String
        var expectation: Expectation
        var change: (inout StarkProof) -> Void
    }

    /// One change per field, per value and per opened element of `proof`.
    static func fieldChanges(
        _ proof: StarkProof, air: AIR, publicInputs: [Fp], replay: VerifierReplay
    ) -> [FieldChange] {
        var changes: [FieldChange] = []
        func add(
            _ field: String, _ expectation: FieldChange.Expectation, _ change: @escaping (inout StarkProof) -> Void
        ) {
            changes.append(FieldChange(field: field, expectation: expectation, change: change))
        }
        let other = Blake2b.hash(Array("another root".utf8))

        // Identity and statement.
        add("version", .exactly(.decoding(.unsupportedVersion(found: 7, supported: StarkProtocol.version)))) {
            $0.version = 7
        }
        add("circuit digest", .exactly(.verification(.circuitMismatch(expected: proof.circuitDigest, found: other)))) {
            $0.circuitDigest = other
        }
        for delta in [-1, 1] {
            add("log trace length \(delta > 0 ? "+" : "−")1", .rejected) { $0.logTraceLength += delta }
        }
        add("one more public input", .rejected) { $0.publicInputs.append(.one) }
        // A proof of an AIR without boundary columns or global buses carries neither.
        add("a boundary root", .exactly(.verification(.malformedProof("an unexpected boundary commitment")))) {
            $0.boundaryRoot = other
        }
        add("a global share", .exactly(.verification(.malformedProof("global shares: 1 values; expected 0")))) {
            $0.globalShares = [.one]
        }
        for i in proof.publicInputs.indices { add("public input \(i)", .rejected) { $0.publicInputs[i] += .one } }

        // Parameters: each knob moved within its supported range.
        let p = proof.parameters
        for (name, knob) in [
            ("log blowup", \ProofParameters.logBlowup), ("query count", \.queryCount),
            ("grinding bits", \.grindingBits),
            ("log folding factor", \.logFoldingFactor), ("log remainder degree", \.logRemainderDegree),
        ] {
            for delta in [-1, 1] {
                var q = p
                q[keyPath: knob] += delta
                guard q.isSupported else { continue }
                // Fewer grinding bits leave the shape and the nonce valid: only the transcript sees the change.
                let expectation: FieldChange.Expectation =
                    name == "grinding bits" && delta < 0 ? .outOfDomain : .rejected
                add("parameters: \(name) \(delta > 0 ? "+" : "−")1", expectation) { $0.parameters = q }
            }
        }
        add("parameters: zero knowledge toggled", .rejected) { $0.parameters.zeroKnowledge.toggle() }

        // Commitments drawn on before z: changing one moves z, so the out-of-domain values no longer fit.
        add("main root", .outOfDomain) { $0.mainRoot = other }
        if proof.auxRoot != nil {
            add("auxiliary root", .outOfDomain) { $0.auxRoot = other }
            add("auxiliary root removed", .rejected) { $0.auxRoot = nil }
        }
        add("composition root", .outOfDomain) { $0.compositionRoot = other }

        // Out-of-domain values: each changed, with the first composition segment rebalanced so the out-of-domain
        // check still holds; only the DEEP coefficients and later challenges can notice.
        let lists: [(String, WritableKeyPath<OutOfDomainValues, [Fp]>)] = [
            ("main at z", \.main), ("main at z·ω", \.mainNext), ("auxiliary at z", \.aux),
            ("auxiliary at z·ω", \.auxNext), ("composition", \.composition),
        ]
        let zn = replay.z.power(UInt64(replay.shape.traceLength))
        for (name, list) in lists {
            for i in proof.outOfDomain[keyPath: list].indices {
                add("out-of-domain \(name) [\(i)], unbalanced", .rejected) { $0.outOfDomain[keyPath: list][i] += .one }
                if list == \OutOfDomainValues.composition && i == 0 {
                    // Rebalanced by the second segment instead; with one segment there is no second.
                    guard proof.outOfDomain.composition.count > 1 else { continue }
                    add("out-of-domain composition [0], rebalanced", .laterChallenge) {
                        $0.outOfDomain.composition[0] += .one
                        $0.outOfDomain.composition[1] -= zn.inverse()
                    }
                    continue
                }
                add("out-of-domain \(name) [\(i)], rebalanced", .laterChallenge) {
                    $0.outOfDomain[keyPath: list][i] += .one
                    replay.rebalance(&$0.outOfDomain, air: air, publicInputs: publicInputs)
                }
            }
        }
        add("out-of-domain main: one value more", .rejected) { $0.outOfDomain.main.append(.one) }

        // FRI commitments and the remainder, absorbed before the proof of work.
        for i in proof.friRoots.indices { add("FRI root \(i)", .laterChallenge) { $0.friRoots[i] = other } }
        add("one FRI root more", .rejected) { $0.friRoots.append(other) }
        for i in proof.remainder.indices { add("remainder [\(i)]", .laterChallenge) { $0.remainder[i] += .one } }
        add("remainder: one coefficient more", .rejected) { $0.remainder.append(.zero) }
        for delta: UInt64 in [1, 2, 1 << 40] {
            add("nonce + \(delta)", .laterChallenge) { $0.proofOfWorkNonce &+= delta }
        }

        // Openings: every row element, salt and node.
        func openingChanges(
            _ name: String, _ opening: MerkleOpening, _ path: WritableKeyPath<StarkProof, MerkleOpening>
        ) {
            for r in opening.rows.indices {
                for c in opening.rows[r].indices {
                    add("\(name) row \(r) [\(c)]", .rejected) { $0[keyPath: path].rows[r][c] += .one }
                }
            }
            for s in opening.salts.indices {
                add("\(name) salt \(s)", .rejected) { $0[keyPath: path].salts[s] = Salt.random() }
            }
            for k in opening.nodes.indices {
                add("\(name) node \(k)", .rejected) { $0[keyPath: path].nodes[k] = other }
            }
            add("\(name): a row removed", .rejected) { $0[keyPath: path].rows.removeLast() }
            add("\(name): a node added", .rejected) { $0[keyPath: path].nodes.append(other) }
            add("\(name): a salt added", .rejected) { $0[keyPath: path].salts.append(Salt.random()) }
            add("\(name): a row repeated", .rejected) { o in o[keyPath: path].rows[0] = o[keyPath: path].rows[1] }
        }
        openingChanges("main opening", proof.mainOpening, \.mainOpening)
        if let aux = proof.auxOpening {
            openingChanges("auxiliary opening", aux, \.auxOpening!)
            add("auxiliary opening removed", .rejected) { $0.auxOpening = nil }
        }
        openingChanges("composition opening", proof.compositionOpening, \.compositionOpening)
        for (i, opening) in proof.friOpenings.enumerated() {
            openingChanges("FRI layer \(i) opening", opening, \.friOpenings[i])
        }
        return changes
    }

    func testEveryFieldOfAProofIsCovered() throws {
        let air = Self.rangeCheck.air
        for parameters in [Self.groundZK, Self.groundPlain] {
            let proof = Self.honest(air, Self.rangeTrace, [], parameters)
            let replay = try VerifierReplay(proof: proof, air: air)
            XCTAssertTrue(replay.proofOfWorkIsValid)
            XCTAssertEqual(
                replay.expectedComposition(proof.outOfDomain, air: air, publicInputs: []),
                replay.claimedComposition(proof.outOfDomain))
            XCTAssertGreaterThan(proof.friRoots.count, 0, "the suite needs a committed FRI layer")
            let changes = Self.fieldChanges(proof, air: air, publicInputs: [], replay: replay)
            var rejections: [Rejection] = []
            for change in changes {
                var changed = proof
                change.change(&changed)
                guard let r = rejection(of: changed.encoded(), air: air, publicInputs: []) else {
                    XCTFail("\(change.field): the changed proof verified")
                    continue
                }
                rejections.append(r)
                switch change.expectation {
                case .rejected: break
                case .outOfDomain: XCTAssertEqual(r, .verification(.outOfDomainMismatch), change.field)
                case .laterChallenge:
                    XCTAssertTrue(r.isAtOrAfterProofOfWork, "\(change.field): rejected early, by \(r)")
                case .exactly(let e): XCTAssertEqual(r, e, change.field)
                }
            }
            let name = parameters.zeroKnowledge ? "zero-knowledge" : "plain"
            print(
                "soundness: \(changes.count) field changes to a \(name) range-check proof, all rejected: "
                    + tally(rejections))
        }
    }

    // MARK: StarkShape: at least one fold

    func testShapesFoldAtLeastOnceOrRefuseTheTrace() throws {
        var checked = 0
        for zeroKnowledge in [false, true] {
            for logBlowup in ProofParameters.logBlowupRange {
                for logFolding in ProofParameters.logFoldingFactorRange {
                    for logRemainder in ProofParameters.logRemainderDegreeRange {
                        let parameters = ProofParameters(
                            logBlowup: logBlowup, queryCount: 2, grindingBits: 0, logFoldingFactor: logFolding,
                            logRemainderDegree: logRemainder, zeroKnowledge: zeroKnowledge)
                        for logRows in 1...20 {
                            try checkShape(parameters, logRows: logRows)
                            checked += 1
                        }
                    }
                }
            }
        }
        print("soundness: \(checked) shapes checked against the folding rule")
    }

    /// The rule: fold by f while the degree bound exceeds the remainder bound and the next layer holds two whole
    /// cosets, but always fold at least once; refuse the trace when even one fold has no room.
    private func checkShape(_ parameters: ProofParameters, logRows: Int) throws {
        let air = FibonacciAIR.air
        let f = parameters.foldingFactor
        let n = 1 << logRows
        let ldeSize = n << parameters.logBlowup
        let shape: StarkShape
        do { shape = try StarkShape(air: air, parameters: parameters, logTraceLength: logRows) } catch {
            if n < parameters.maskDegree {
                XCTAssertEqual(error, .traceTooShortForZeroKnowledge(rows: n, maskDegree: parameters.maskDegree))
            } else {
                XCTAssertLessThan(ldeSize, 2 * f)
                XCTAssertEqual(error, .traceTooShortForFolding(rows: n, ldeSize: ldeSize, foldingFactor: f))
            }
            return
        }
        XCTAssertGreaterThanOrEqual(ldeSize, 2 * f)
        // The rule as it stood before the fix, which left zero folds for short traces.
        var (degree, domain, folds) = (shape.friDegreeBound, ldeSize, 0)
        while degree > 1 << parameters.logRemainderDegree && domain / f >= 2 * f {
            (degree, domain, folds) = ((degree + f - 1) / f, domain / f, folds + 1)
        }
        let label = "\(parameters.canonicalBytes), 2^\(logRows) rows"
        if folds > 0 {
            // Unchanged wherever the old rule folded: proofs made before keep their shape.
            XCTAssertEqual(shape.friLayerCount, folds - 1, label)
            XCTAssertEqual(shape.remainderLength, degree, label)
        } else {
            XCTAssertEqual(shape.friLayerCount, 0, label)
            XCTAssertEqual(shape.remainderLength, (shape.friDegreeBound + f - 1) / f, label)
        }
        // The remainder fits in the last layer, whose domain holds at least two points.
        let lastLayer = ldeSize >> shape.totalFolds
        XCTAssertGreaterThanOrEqual(lastLayer, 2, label)
        XCTAssertLessThanOrEqual(shape.remainderLength, lastLayer, label)
    }

    func testShortTracesWithLargeFoldingProveOrAreRefused() throws {
        // Blowup 2 and folding by 16: 16 rows give 32 points, exactly two folding cosets, so one fold to a
        // two-point remainder; before the fix the remainder kept the whole degree bound and proving trapped.
        let (trace, inputs) = FibonacciAIR.trace(rows: 16)
        let plain = ProofParameters(
            logBlowup: 1, queryCount: 8, grindingBits: 0, logFoldingFactor: 4, zeroKnowledge: false)
        let shape = try StarkShape(air: FibonacciAIR.air, parameters: plain, logTraceLength: 4)
        XCTAssertEqual(shape.friLayerCount, 0)
        XCTAssertEqual(shape.remainderLength, 1)
        let proof = try prove(
            air: FibonacciAIR.air, trace: trace, publicInputs: inputs, options: ProverOptions(parameters: plain))
        XCTAssertNil(rejection(of: proof, air: FibonacciAIR.air, publicInputs: inputs))

        // With zero knowledge (one query of 16 points to mask), 64 rows and one fold.
        let masked = ProofParameters(logBlowup: 1, queryCount: 1, grindingBits: 0, logFoldingFactor: 4)
        let (longer, longerInputs) = FibonacciAIR.trace(rows: 64)
        let zkProof = try prove(
            air: FibonacciAIR.air, trace: longer, publicInputs: longerInputs, options: ProverOptions(parameters: masked)
        )
        XCTAssertEqual(zkProof.friRoots.count, 1, "layer 0 only")
        XCTAssertEqual(zkProof.remainder.count, (64 + masked.maskDegree + 15) / 16)
        XCTAssertNil(rejection(of: zkProof, air: FibonacciAIR.air, publicInputs: longerInputs))

        // 8 rows give 16 points: not even two cosets of 16. The prover refuses, and a proof claiming that shape
        // is malformed.
        let (short, shortInputs) = FibonacciAIR.trace(rows: 8)
        let refusal = ShapeError.traceTooShortForFolding(rows: 8, ldeSize: 16, foldingFactor: 16)
        XCTAssertThrowsError(
            try prove(
                air: FibonacciAIR.air, trace: short, publicInputs: shortInputs,
                options: ProverOptions(parameters: plain))
        ) { error in
            guard case .shape(let e) = error as? ProverError else { return XCTFail("\(error)") }
            XCTAssertEqual(e, refusal)
        }
        var claimed = proof
        claimed.logTraceLength = 3
        XCTAssertEqual(
            rejection(of: claimed, air: FibonacciAIR.air, publicInputs: inputs),
            .verification(.malformedProof("\(refusal)")))
        print("soundness: \(refusal)")
    }
}
