import Foundation
import XCTest
import ZKVM

/// The receipt envelope: canonical encoding, its layout, and a decoder that never traps.
final class ReceiptFormatTests: XCTestCase {
    func testEncodingIsCanonical() throws {
        let receipt = try Fixtures.hello.get()
        let bytes = receipt.encoded()
        XCTAssertEqual(Array(bytes.prefix(11)), Array("ZKVMRCT".utf8) + [0, 5, 0, 1])
        let decoded = try Receipt(decoding: bytes)
        XCTAssertEqual(decoded, receipt)
        XCTAssertEqual(decoded.encoded(), bytes)
    }

    /// After the exit code: the number of segments, then each segment's proof, each after its length, to the last
    /// byte; the last segment's proof holds the memory's closing table, and no other does.
    func testProofsFollowTheEnvelopeInOrder() throws {
        for receipt in [try Fixtures.hello.get(), try Fixtures.segmentedFibonacci.get(), Self.smallWithoutImage] {
            let bytes = receipt.encoded()
            var at = receipt.sections.prefix(4).reduce(0) { $0 + $1.byteCount }
            XCTAssertEqual(Array(bytes[at - 4..<at]), littleEndian(receipt.exitCode))
            XCTAssertEqual(Array(bytes[at..<at + 4]), littleEndian(UInt32(receipt.segmentProofs.count)))
            at += 4
            XCTAssertEqual(receipt.segmentProofs.map(\.tables.count), receipt.segmentProofs.indices.map { $0 == receipt.segmentProofs.count - 1 ? 3 : 2 })
            for proof in receipt.segmentProofs {
                let stark = proof.encoded()
                XCTAssertEqual(Array(bytes[at..<at + 4]), littleEndian(UInt32(stark.count)))
                XCTAssertEqual(Array(bytes[at + 4..<at + 4 + stark.count]), stark)
                at += 4 + stark.count
            }
            XCTAssertEqual(at, bytes.count)
        }
        XCTAssertGreaterThan(try Fixtures.segmentedFibonacci.get().segmentProofs.count, 1)
    }

    func testSectionsAddUpToTheEncoding() throws {
        for receipt in [
            try Fixtures.hello.get(), try Fixtures.fibonacci.get(), try Fixtures.segmentedFibonacci.get(), Self.small,
            Self.smallWithoutImage, Self.smallSegmented,
        ] {
            let sections = receipt.sections
            XCTAssertEqual(sections.reduce(0) { $0 + $1.byteCount }, receipt.encoded().count)
            XCTAssertEqual(sections.first { $0.name == "journal" }?.byteCount, 4 + receipt.journal.count)
            XCTAssertEqual(
                sections.map(\.name),
                [
                    "receipt header", receipt.includesImage ? "program image" : "program id", "journal", "exit code",
                    "proof headers", "commitments", "out-of-domain values", "FRI remainders", "proofs of work",
                    "trace openings", "FRI layer openings",
                ])
            // The proofs' parts are summed over every proof: an 8-byte nonce each, a remainder each, and together
            // the segment count, each proof's length and its bytes.
            let proofs: [BatchProof] = receipt.segmentProofs
            XCTAssertEqual(sections.first { $0.name == "proofs of work" }?.byteCount, 8 * proofs.count)
            let remainders = proofs.reduce(0) { $0 + 4 + 32 * $1.remainder.count }
            XCTAssertEqual(sections.first { $0.name == "FRI remainders" }?.byteCount, remainders)
            XCTAssertEqual(
                sections[4...].reduce(0) { $0 + $1.byteCount }, proofs.reduce(4) { $0 + 4 + $1.encoded().count })
        }
        XCTAssertEqual(Self.smallWithoutImage.sections[1].byteCount, 32)
    }

    func testStructuralErrorsAreTyped() throws {
        let bytes = Self.small.encoded()
        XCTAssertThrowsError(try Receipt(decoding: [])) {
            XCTAssertEqual(
                $0 as? ZKVMError, .malformedReceipt(offset: 0, reason: "truncated in the magic: 8 bytes needed, 0 left")
            )
        }
        XCTAssertThrowsError(try Receipt(decoding: Array("ZKVMPRF".utf8) + [0])) {
            XCTAssertEqual($0 as? ZKVMError, .notAReceipt)
        }
        XCTAssertThrowsError(try Receipt(decoding: Array("\u{7f}ELF".utf8))) {
            XCTAssertEqual($0 as? ZKVMError, .notAReceipt)
        }
        for version: UInt8 in [0, 1, 2, 3, 4, 6] {
            var other = bytes
            other[8] = version
            XCTAssertThrowsError(try Receipt(decoding: other)) {
                XCTAssertEqual($0 as? ZKVMError, .unsupportedReceiptVersion(found: UInt16(version), supported: 5))
            }
        }
        var flag = bytes
        flag[10] = 2
        XCTAssertThrowsError(try Receipt(decoding: flag)) {
            XCTAssertEqual(
                $0 as? ZKVMError, .malformedReceipt(offset: 10, reason: "the image flag is 2; expected 0 or 1"))
        }
        XCTAssertThrowsError(try Receipt(decoding: ReceiptFormat.magic + [5, 0, 0] + [UInt8](repeating: 7, count: 10)))
        {
            XCTAssertEqual(
                $0 as? ZKVMError,
                .malformedReceipt(offset: 11, reason: "truncated in the program id: 32 bytes needed, 10 left"))
        }
        XCTAssertThrowsError(try Receipt(decoding: bytes + [0])) {
            XCTAssertEqual(
                $0 as? ZKVMError,
                .malformedReceipt(offset: bytes.count, reason: "1 unexpected bytes follow the receipt"))
        }
        // The STARK proofs' own errors come through with the proof's position: of the only segment's here, and of
        // each segment's in the segmented receipt.
        let segmentStart = bytes.count - Self.small.segmentProofs[0].encoded().count
        let segmented = Self.smallSegmented.encoded()
        var starts: [Int] = []
        var end = segmented.count
        for proof in Self.smallSegmented.segmentProofs.reversed() {
            starts.insert(end - proof.encoded().count, at: 0)
            end = starts[0] - 4
        }
        XCTAssertEqual(starts.count, 3)
        for (encoding, proofStart) in [(bytes, segmentStart)] + starts.map({ (segmented, $0) }) {
            var badProof = encoding
            badProof[proofStart] ^= 0xff
            XCTAssertThrowsError(try Receipt(decoding: badProof)) {
                guard case .malformedProof(_, let offset) = $0 as? ZKVMError else { return XCTFail("\($0)") }
                XCTAssertEqual(offset, proofStart)
            }
        }
        // A segment count of zero, or more than a receipt may hold, before any proof is read.
        let countAt = segmentStart - 8
        XCTAssertEqual(Array(bytes[countAt..<countAt + 4]), [1, 0, 0, 0])
        for count: UInt32 in [0, UInt32(ReceiptFormat.maximumSegmentProofs) + 1, .max] {
            var other = bytes
            other.replaceSubrange(countAt..<countAt + 4, with: littleEndian(count))
            XCTAssertThrowsError(try Receipt(decoding: other)) {
                XCTAssertEqual(
                    $0 as? ZKVMError,
                    .malformedReceipt(
                        offset: countAt,
                        reason: "segment count \(count) is outside 1...\(ReceiptFormat.maximumSegmentProofs)"))
            }
        }
        // A count of two where one segment follows: segment 1's proof is missing.
        var two = bytes
        two[countAt] = 2
        XCTAssertThrowsError(try Receipt(decoding: two)) {
            XCTAssertEqual(
                $0 as? ZKVMError,
                .malformedReceipt(
                    offset: bytes.count, reason: "truncated in the segment 1 proof length: 4 bytes needed, 0 left"))
        }
        // An image the loader refuses: entry point outside code.
        var entry = bytes
        entry[11] = 0x01
        XCTAssertThrowsError(try Receipt(decoding: entry)) {
            guard case .invalidProgram = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }

    /// Mutations of a small receipt (a real program image and journal around a proof cut down to a few bytes, so
    /// every mutation decodes in microseconds) and of the envelope of a real one: every result is a receipt
    /// that re-encodes to the same bytes, or a typed error.
    func testDecodingNeverTraps() throws {
        let real = try Fixtures.hello.get().encoded()
        var rng = SplitMix(state: 0x5EED_2026)
        var decoded = 0
        for small in [Self.small.encoded(), Self.smallWithoutImage.encoded(), Self.smallSegmented.encoded()] {
            for length in 0...small.count {
                _ = try? Receipt(decoding: Array(small.prefix(length)))
            }
            for _ in 0..<10_000 {
                let mutated = mutate(small, &rng)
                if let receipt = try? Receipt(decoding: mutated) {
                    decoded += 1
                    XCTAssertEqual(receipt.encoded(), mutated)
                }
            }
        }
        // Mutations of a real receipt are kept to its envelope and the proof's header: each that decodes costs a
        // whole proof decode (about 10 ms), and the STARK proof's own fuzz covers the rest.
        let window = Self.small.sections[0].byteCount + Self.small.sections[1].byteCount + 200
        for _ in 0..<100 {
            var mutated = real
            let at = Int.random(in: 0..<window, using: &rng)
            mutated[at] = UInt8.random(in: 0...255, using: &rng)
            if let receipt = try? Receipt(decoding: mutated) { XCTAssertEqual(receipt.encoded(), mutated) }
        }
        for _ in 0..<1000 {
            var random = [UInt8](repeating: 0, count: Int.random(in: 0..<64, using: &rng))
            for i in random.indices { random[i] = UInt8.random(in: 0...255, using: &rng) }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: random = ReceiptFormat.magic + [UInt8.random(in: 1...2, using: &rng), 0] + random
            case 1: random = ReceiptFormat.magic + [3, 0, UInt8.random(in: 0...1, using: &rng)] + random
            default: break
            }
            XCTAssertNil(try? Receipt(decoding: random))
        }
        XCTAssertGreaterThan(decoded, 0, "some mutations (image data bytes) should still decode")
    }

    // MARK: - Receipts without the image, and the versions before segments

    func testReceiptWithoutImageEncodesTheProgramID() throws {
        let receipt = try Fixtures.hello.get()
        var bare = receipt
        bare.program = nil
        XCTAssertFalse(bare.includesImage)
        XCTAssertEqual(bare.programID, receipt.programID)
        XCTAssertEqual(bare.formatVersion, 5)
        let bytes = bare.encoded()
        XCTAssertEqual(Array(bytes.prefix(11)), Array("ZKVMRCT".utf8) + [0, 5, 0, 0])
        XCTAssertEqual(Array(bytes[11..<43]), receipt.programID.bytes)
        XCTAssertEqual(receipt.encoded().count - bytes.count, receipt.sections[1].byteCount - 32)
        let decoded = try Receipt(decoding: bytes)
        XCTAssertEqual(decoded, bare)
        XCTAssertNil(decoded.program)
        XCTAssertEqual(decoded.encoded(), bytes)
        XCTAssertEqual(decoded.claim.programID, receipt.programID)
        // Giving the image back restores the receipt.
        var restored = decoded
        restored.program = try Examples.program("hello")
        XCTAssertEqual(restored, receipt)
    }

    /// Versions 1 and 2 held one proof of an earlier circuit, version 3 one-table proofs of segments, version 4 the
    /// memory's closing table in a proof of its own: refused by their version, before anything else is read, with a
    /// message that says what to do.
    func testEarlierVersionsAreRefused() throws {
        let receipt = try Fixtures.hello.get()
        let bytes = receipt.encoded()
        // Version 1 had no image flag; version 2 had the flag, then one length-prefixed proof after the exit code.
        let version1 = Array(bytes[..<8]) + [1, 0] + Array(bytes[11...])
        var version2 = bytes
        version2[8] = 2
        var version3 = bytes
        version3[8] = 3
        var version4 = bytes
        version4[8] = 4
        for (old, version) in [(version1, 1), (version2, 2), (version3, 3), (version4, 4)] as [([UInt8], UInt16)] {
            XCTAssertThrowsError(try Receipt(decoding: old)) {
                XCTAssertEqual($0 as? ZKVMError, .unsupportedReceiptVersion(found: version, supported: 5))
                XCTAssertEqual(
                    ($0 as? ZKVMError)?.description,
                    "receipt format version \(version) is not supported; this zkvm reads version 5 only: prove the "
                        + "program again with this zkvm")
            }
            // However short, the version decides.
            XCTAssertThrowsError(try Receipt(decoding: Array(old.prefix(10)))) {
                XCTAssertEqual($0 as? ZKVMError, .unsupportedReceiptVersion(found: version, supported: 5))
            }
        }
        var newer = bytes
        newer[8] = 6
        XCTAssertThrowsError(try Receipt(decoding: newer)) {
            XCTAssertEqual(
                ($0 as? ZKVMError)?.description,
                "receipt format version 6 is not supported; this zkvm reads version 5 only: use the zkvm that made it")
        }
        XCTAssertEqual(ReceiptFormat.readableVersions, 5...5)
        XCTAssertEqual(receipt.formatVersion, ReceiptFormat.version)
    }

    // MARK: - Helpers

    /// hello's receipt with its STARK proofs stripped to their fixed fields: structurally a receipt, and small.
    static let small: Receipt = {
        guard let receipt = try? Fixtures.hello.get() else {
            fatalError("the hello fixture failed; RoundTripTests says why")
        }
        return strippedProofs(receipt)
    }()

    /// The segmented fibonacci receipt with its STARK proofs stripped: several segments, and small.
    static let smallSegmented: Receipt = {
        guard let receipt = try? Fixtures.segmentedFibonacci.get() else {
            fatalError("the segmented fibonacci fixture failed; SegmentedReceiptTests says why")
        }
        return strippedProofs(receipt)
    }()

    static func strippedProofs(_ receipt: Receipt) -> Receipt {
        var receipt = receipt
        receipt.segmentProofs = receipt.segmentProofs.map(stripped)
        return receipt
    }

    /// ``small`` without its program image.
    static let smallWithoutImage: Receipt = {
        var receipt = small
        receipt.program = nil
        return receipt
    }()

    /// One to three random edits: a byte, a bit, a 32-bit length, a cut, an insertion or a deletion.
    private func mutate(_ bytes: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var b = bytes
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !b.isEmpty: b[at] = UInt8.random(in: 0...255, using: &rng)
            case 1 where !b.isEmpty: b[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2 where at + 4 <= b.count:
                let values: [UInt32] = [
                    0, 1, 2, 0xff, 0xffff, 0x7fff_ffff, 0xffff_ffff, UInt32(b.count), UInt32(b.count - at),
                ]
                let v =
                    Bool.random(using: &rng)
                    ? values.randomElement(using: &rng)! : UInt32.random(in: 0...UInt32.max, using: &rng)
                for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
            case 3: b = Array(b.prefix(at))
            case 4:
                b.insert(
                    contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in
                        UInt8.random(in: 0...255, using: &rng)
                    }, at: at)
            case 5 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...16, using: &rng)))
            default: if !b.isEmpty { b[at] = 0 }
            }
        }
        return b
    }
}
