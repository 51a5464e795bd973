import Foundation
import XCTest
import ZKVM

/// Executions proven in several segments: the receipt verifies and survives its encoding, every part of it is
/// bound (a flipped bit anywhere, a segment dropped, repeated, reordered or taken from another receipt is refused),
/// and with zero knowledge what crosses a segment boundary reveals nothing of the input.
final class SegmentedReceiptTests: XCTestCase {
    // MARK: - Proving and verifying

    func testLongFibonacciProvesInSegmentsAndVerifies() throws {
        let receipt = try Fixtures.segmentedFibonacci.get()
        let program = try Examples.program("fibonacci")
        let claim = receipt.claim
        XCTAssertEqual(claim.segmentCount, 3)
        XCTAssertEqual(receipt.segmentProofs.count, claim.segmentCount)
        XCTAssertEqual(claim.segmentLength, 1 << 10)
        XCTAssertEqual(claim.traceLength, claim.segmentCount << 10)
        XCTAssertEqual(claim.memoryTableLength, 1 << receipt.segmentProofs[2].tables[2].logTraceLength)
        XCTAssertEqual(receipt.segmentProofs.map(\.tables.count), [2, 2, 3])
        XCTAssertTrue(receipt.segmentProofs.allSatisfy { $0.logTraceLength == 10 })

        let statement = try verify(receipt, expecting: program, policy: acceptTestProofs)
        XCTAssertEqual(statement, claim)
        XCTAssertEqual(String(decoding: statement.journal, as: UTF8.self), "fib(220) mod 2^64 = 0x1ab0a1dac86300f3\n")
        XCTAssertEqual(statement.exitCode, 0)
        XCTAssertEqual(statement.profile, .test)

        let bytes = receipt.encoded()
        let decoded = try Receipt(decoding: bytes)
        XCTAssertEqual(decoded, receipt)
        XCTAssertEqual(decoded.encoded(), bytes)
        XCTAssertEqual(try verify(decoded, expecting: program.id, policy: acceptTestProofs), statement)
        // The segments' public inputs say where each stands in the execution, so no two are alike.
        XCTAssertEqual(Set(receipt.segmentProofs.map(\.tables[0].publicInputs)).count, receipt.segmentProofs.count)
    }

    // MARK: - Every byte is bound

    /// One bit flipped at a time across every part of the receipt: each envelope byte, and in each proof (with its
    /// length prefix) the first and last 64 bytes and every 97th byte between. No flipped receipt verifies, and none
    /// traps on the way. The verifier runs on one thread, so the flips are shared out over the cores.
    func testEveryFlippedBitIsRefused() throws {
        let receipt = try Fixtures.segmentedFibonacci.get()
        let id = receipt.programID
        let bytes = receipt.encoded()
        let parts = Self.parts(of: receipt)
        XCTAssertEqual(parts.map(\.name), ["envelope", "segment 0", "segment 1", "segment 2"])
        XCTAssertEqual(parts.last?.range.upperBound, bytes.count)

        let flips: [(part: String, offset: Int)] = parts.flatMap { name, range in
            let offsets =
                name == "envelope"
                ? Set(range)
                : Set(range.prefix(64)).union(range.suffix(64)).union(
                    stride(from: range.lowerBound, to: range.upperBound, by: 97))
            return offsets.sorted().map { (name, $0) }
        }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        // How each flip ended: refused by "decoding", refused by "verify", or "accepted".
        let outcomes = Outcomes(count: flips.count)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for i in stride(from: thread, to: flips.count, by: threads) {
                var flipped = bytes
                flipped[flips[i].offset] ^= 1 << UInt8(flips[i].offset % 8)
                guard let decoded = try? Receipt(decoding: flipped) else {
                    outcomes.set(i, "decoding")
                    continue
                }
                outcomes.set(
                    i, (try? verify(decoded, expecting: id, policy: acceptTestProofs)) == nil ? "verify" : "accepted")
            }
        }
        let results = outcomes.all
        for (flip, outcome) in zip(flips, results) where outcome != "decoding" && outcome != "verify" {
            XCTFail("\(flip.part): a receipt with bit \(flip.offset % 8) of byte \(flip.offset) flipped: \(outcome)")
        }
        let byDecoding = results.filter { $0 == "decoding" }.count
        let byVerify = results.filter { $0 == "verify" }.count
        XCTAssertGreaterThan(byDecoding, 0)
        XCTAssertGreaterThan(byVerify, 0)
        print(
            "segmented receipt: \(flips.count) bit flips over \(parts.count) parts, \(byDecoding) refused by decoding "
                + "and \(byVerify) by verify")
    }

    // MARK: - The segments are bound to each other

    func testDroppedRepeatedOrReorderedSegmentsAreRefused() throws {
        let original = try Receipt(decoding: try Fixtures.segmentedFibonacci.get().encoded())
        let segments = original.segmentProofs
        let edits: [(String, [BatchProof])] = [
            ("first dropped", Array(segments.dropFirst())),
            ("middle dropped", [segments[0], segments[2]]),
            ("last dropped", Array(segments.dropLast())),
            ("first repeated", [segments[0]] + segments),
            ("middle repeated", [segments[0], segments[1], segments[1], segments[2]]),
            ("last repeated", segments + [segments[2]]),
            ("middle in place of the last", [segments[0], segments[1], segments[1]]),
            ("first two swapped", [segments[1], segments[0], segments[2]]),
            ("last two swapped", [segments[0], segments[2], segments[1]]),
            ("reversed", segments.reversed()),
            // One proof left, with its boundary commitment: a receipt of one proof must be proven alone.
            ("all but the last dropped", [segments[2]]),
        ]
        for (what, edited) in edits {
            var receipt = original
            receipt.segmentProofs = edited
            assertRefused(receipt, what)
            assertRefused(try Receipt(decoding: receipt.encoded()), "\(what), through the encoding")
        }
        // The memory table moved to the first segment's proof, left out, or given to every segment.
        var receipt = original
        receipt.segmentProofs[0].tables.append(original.segmentProofs[2].tables[2])
        receipt.segmentProofs[2].tables.removeLast()
        assertRefused(receipt, "the memory table in the first segment's proof")
        receipt.segmentProofs[0].tables.removeLast()
        assertRefused(receipt, "no memory table")
        receipt = original
        for k in 0..<2 { receipt.segmentProofs[k].tables.append(original.segmentProofs[2].tables[2]) }
        assertRefused(receipt, "a memory table in every segment's proof")
        receipt = original
        receipt.segmentProofs = []
        assertRefused(receipt, "no segment")
    }

    /// A proof of the same program on another input, of the same size and at the same place in its own receipt:
    /// valid in its receipt, refused in this one.
    func testSegmentFromAnotherReceiptIsRefused() throws {
        let receipt = try Fixtures.segmentedFibonacci.get()
        let other = try prove(
            program: try Examples.program("fibonacci"), input: littleEndian(221), options: Fixtures.segmentedOptions)
        XCTAssertEqual(other.segmentProofs.count, receipt.segmentProofs.count)
        XCTAssertNoThrow(try verify(other, expecting: other.programID, policy: acceptTestProofs))
        for k in receipt.segmentProofs.indices {
            // The first segments of the two runs hold the same public inputs: only the join tells them apart.
            XCTAssertEqual(other.segmentProofs[k].tables[0].publicInputs, receipt.segmentProofs[k].tables[0].publicInputs)
            var spliced = receipt
            spliced.segmentProofs[k] = other.segmentProofs[k]
            assertRefused(spliced, "segment \(k) of another receipt")
        }
        // All of the other receipt's segments, with this receipt's journal, or with this one's segments but the last.
        var spliced = receipt
        spliced.segmentProofs = other.segmentProofs
        assertRefused(spliced, "the segments of another receipt")
        spliced = other
        spliced.segmentProofs[2] = receipt.segmentProofs[2]
        spliced.journal = receipt.journal
        assertRefused(spliced, "another receipt's segments with this one's last segment and journal")
        // A one-segment receipt of the same program: its segment in the place of each of these.
        let short = try Fixtures.fibonacci.get()
        for k in receipt.segmentProofs.indices {
            spliced = receipt
            spliced.segmentProofs[k] = short.segmentProofs[0]
            assertRefused(spliced, "segment \(k) from a one-segment receipt")
        }
    }

    // MARK: - Zero knowledge across boundaries

    /// The sort guest on 40 values and on the same values reversed: one journal (the sorted values), two segments
    /// each, so that one boundary lies between segments and every segment both receives and hands on the state.
    /// With zero knowledge, everything the receipts show besides the proofs' random bytes is the same, and what the
    /// segments send each other over the global bus (their shares) is fresh in every proof, even of one input.
    func testSegmentBoundariesRevealNothingOfTheInput() throws {
        var options = Fixtures.segmentedOptions
        options.logSegmentRows = 12
        options.parameters.zeroKnowledge = true
        var rng = SplitMix(state: 0x50_27)
        let values = (0..<40).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        let input = values.flatMap(littleEndian)
        let reversed = values.reversed().flatMap(littleEndian)
        XCTAssertNotEqual(input, reversed)
        let program = try Examples.program("sort")
        let first = try prove(program: program, input: input, options: options)
        let again = try prove(program: program, input: input, options: options)
        let other = try prove(program: program, input: reversed, options: options)

        XCTAssertEqual(first.journal, values.sorted().flatMap(littleEndian))
        for receipt in [first, again, other] {
            XCTAssertEqual(try verify(receipt, expecting: program, policy: acceptTestProofs), first.claim)
            XCTAssertEqual(receipt.segmentProofs.count, 2)
            XCTAssertTrue(receipt.claim.parameters.zeroKnowledge)
        }
        for (name, twin) in [("another input", other), ("the same input", again)] {
            // The envelope, up to the first proof, is byte for byte the same.
            let envelope = Self.parts(of: first)[0].range
            XCTAssertEqual(Array(twin.encoded()[envelope]), Array(first.encoded()[envelope]), name)
            XCTAssertEqual(twin.claim, first.claim, name)
            for (k, (a, b)) in zip(first.segmentProofs, twin.segmentProofs).enumerated() {
                let which = "segment \(k)"
                // What the statement fixes is equal.
                XCTAssertEqual(a.version, b.version, "\(name), \(which)")
                XCTAssertEqual(a.parameters, b.parameters, "\(name), \(which)")
                XCTAssertEqual(a.tables.map(\.circuitDigest), b.tables.map(\.circuitDigest), "\(name), \(which)")
                XCTAssertEqual(a.tables.map(\.logTraceLength), b.tables.map(\.logTraceLength), "\(name), \(which)")
                XCTAssertEqual(a.tables.map(\.publicInputs), b.tables.map(\.publicInputs), "\(name), \(which)")
                XCTAssertEqual(a.globalShares.count, b.globalShares.count, "\(name), \(which)")
                // What crosses the boundary is fresh: every share, and the commitment to the boundary columns.
                XCTAssertFalse(a.globalShares.isEmpty, "\(name), \(which)")
                for (i, (x, y)) in zip(a.globalShares, b.globalShares).enumerated() {
                    XCTAssertNotEqual(x, y, "\(name), \(which): share \(i) repeated")
                }
                XCTAssertNotEqual(a.boundaryRoot, b.boundaryRoot, "\(name), \(which)")
                XCTAssertNotEqual(a.mainRoot, b.mainRoot, "\(name), \(which)")
            }
        }
        // The twin without zero knowledge: a segment's main commitment is a function of what it holds, so two
        // proofs of the first segment of one input repeat it.
        let plain = try (0..<2).map { _ in
            var plainOptions = options
            plainOptions.parameters.zeroKnowledge = false
            let prover = try SegmentedProver(program: program, input: input, options: plainOptions)
            return try prover.prove(0, context: prover.context(boundaryRoots: try prover.boundaryRoots())).mainRoot
        }
        XCTAssertEqual(plain[0], plain[1])
    }

    /// A one-segment execution driven step by step, as a prover spread over processes does: the boundary roots and
    /// the context are made, and its proof is still proven and checked alone (its boundary columns in its main
    /// commitment), so the receipt verifies. Its twins: a proof index past the one segment, and proving alone an
    /// execution of several segments, are refused (a receipt of one proof that carries a boundary commitment is
    /// refused in ``testDroppedRepeatedOrReorderedSegmentsAreRefused()``).
    func testAOneSegmentExecutionDrivenStepByStepIsProvenAlone() throws {
        let program = try Examples.program("hello")
        let prover = try SegmentedProver(
            program: program, input: Array("world".utf8), options: ProveOptions(profile: .test))
        XCTAssertEqual(prover.segmentCount, 1)
        let context = prover.context(boundaryRoots: try prover.boundaryRoots())
        let proofs = try prover.proveAll(context: context)
        XCTAssertNil(proofs[0].boundaryRoot)
        XCTAssertNoThrow(try prover.check(0, proof: proofs[0], context: context, policy: acceptTestProofs))
        XCTAssertNoThrow(try verify(try prover.receipt(proofs: proofs), expecting: program, policy: acceptTestProofs))
        XCTAssertThrowsError(try prover.prove(1, context: context))

        let segmented = try SegmentedProver(
            program: try Examples.program("fibonacci"), input: Fixtures.segmentedInput,
            options: Fixtures.segmentedOptions)
        XCTAssertThrowsError(try segmented.proveAlone())
    }

    // MARK: - Helpers

    /// The receipt's parts in its encoding: the envelope up to the first proof (its segment count included), then
    /// each proof with its length prefix.
    static func parts(of receipt: Receipt) -> [(name: String, range: Range<Int>)] {
        var at = receipt.sections.prefix(4).reduce(0) { $0 + $1.byteCount } + 4
        var parts = [(name: "envelope", range: 0..<at)]
        for (k, proof) in receipt.segmentProofs.enumerated() {
            let end = at + 4 + proof.encoded().count
            parts.append(("segment \(k)", at..<end))
            at = end
        }
        return parts
    }

    /// Asserts that fibonacci's verifier refuses `receipt`.
    private func assertRefused(
        _ receipt: Receipt, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(
            try verify(receipt, expecting: try Examples.program("fibonacci"), policy: acceptTestProofs),
            "\(what) verified", file: file, line: line
        ) {
            guard case .verificationFailed = $0 as? ZKVMError else {
                return XCTFail("\(what): expected a verification failure, got \($0)", file: file, line: line)
            }
        }
    }
}

/// The outcome of each of a number of tasks run on several threads.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [String]

    init(count: Int) { outcomes = Array(repeating: "not run", count: count) }

    func set(_ index: Int, _ outcome: String) { lock.withLock { outcomes[index] = outcome } }

    var all: [String] { lock.withLock { outcomes } }
}
