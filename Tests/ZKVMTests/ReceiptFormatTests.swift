import Foundation
import XCTest
import ZKVM

/// The receipt envelope: canonical encoding, its layout, and a decoder that never traps.
final class ReceiptFormatTests: XCTestCase {
    func testEncodingIsCanonical() throws {
        let receipt = try Fixtures.hello.get()
        let bytes = receipt.encoded()
        XCTAssertEqual(Array(bytes.prefix(11)), Array("ZKVMRCT".utf8) + [0, 2, 0, 1])
        let decoded = try Receipt(decoding: bytes)
        XCTAssertEqual(decoded, receipt)
        XCTAssertEqual(decoded.encoded(), bytes)
    }

    func testSectionsAddUpToTheEncoding() throws {
        for receipt in [try Fixtures.hello.get(), try Fixtures.fibonacci.get(), Self.small, Self.smallWithoutImage] {
            let sections = receipt.sections
            XCTAssertEqual(sections.reduce(0) { $0 + $1.byteCount }, receipt.encoded().count)
            XCTAssertEqual(sections.first { $0.name == "journal" }?.byteCount, 4 + receipt.journal.count)
            XCTAssertEqual(
                sections.map(\.name),
                [
                    "receipt header", receipt.includesImage ? "program image" : "program id", "journal", "exit code",
                    "proof header", "commitments", "out-of-domain values", "FRI remainder", "proof of work",
                    "trace openings", "FRI layer openings",
                ])
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
        for version: UInt8 in [0, 3] {
            var other = bytes
            other[8] = version
            XCTAssertThrowsError(try Receipt(decoding: other)) {
                XCTAssertEqual($0 as? ZKVMError, .unsupportedReceiptVersion(found: UInt16(version), supported: 2))
            }
        }
        var flag = bytes
        flag[10] = 2
        XCTAssertThrowsError(try Receipt(decoding: flag)) {
            XCTAssertEqual(
                $0 as? ZKVMError, .malformedReceipt(offset: 10, reason: "the image flag is 2; expected 0 or 1"))
        }
        XCTAssertThrowsError(try Receipt(decoding: ReceiptFormat.magic + [2, 0, 0] + [UInt8](repeating: 7, count: 10)))
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
        // The STARK proof's own errors come through with the proof's position.
        let proofStart = bytes.count - Self.small.proof.encoded().count
        var badProof = bytes
        badProof[proofStart] ^= 0xff
        XCTAssertThrowsError(try Receipt(decoding: badProof)) {
            guard case .malformedProof(_, let offset) = $0 as? ZKVMError else { return XCTFail("\($0)") }
            XCTAssertEqual(offset, proofStart)
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
        for small in [Self.small.encoded(), Self.smallWithoutImage.encoded(), Self.smallVersion1] {
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
            case 0: random = ReceiptFormat.magic + [1, 0] + random
            case 1: random = ReceiptFormat.magic + [2, 0, UInt8.random(in: 0...1, using: &rng)] + random
            default: break
            }
            XCTAssertNil(try? Receipt(decoding: random))
        }
        XCTAssertGreaterThan(decoded, 0, "some mutations (image data bytes) should still decode")
    }

    // MARK: - Receipts without the image, and version 1

    func testReceiptWithoutImageEncodesTheProgramID() throws {
        let receipt = try Fixtures.hello.get()
        var bare = receipt
        bare.program = nil
        XCTAssertFalse(bare.includesImage)
        XCTAssertEqual(bare.programID, receipt.programID)
        XCTAssertEqual(bare.formatVersion, 2)
        let bytes = bare.encoded()
        XCTAssertEqual(Array(bytes.prefix(11)), Array("ZKVMRCT".utf8) + [0, 2, 0, 0])
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

    func testVersion1ReceiptsStillDecode() throws {
        let receipt = try Fixtures.hello.get()
        let v1 = Self.version1(receipt.encoded())
        let decoded = try Receipt(decoding: v1)
        XCTAssertEqual(decoded.formatVersion, 1)
        XCTAssertEqual(decoded.program, receipt.program)
        XCTAssertEqual(decoded.journal, receipt.journal)
        XCTAssertEqual(decoded.proof, receipt.proof)
        XCTAssertEqual(decoded.encoded(), v1)
        XCTAssertEqual(decoded.sections.reduce(0) { $0 + $1.byteCount }, v1.count)
        XCTAssertEqual(decoded.sections[0].byteCount, 10)
        let statement = try verify(decoded, expecting: receipt.programID, policy: acceptTestProofs)
        XCTAssertEqual(statement.formatVersion, 1)
        XCTAssertEqual(statement.journal, receipt.journal)
        // Version 1 cannot leave the image out: without it the receipt is written in version 2.
        var bare = decoded
        bare.program = nil
        XCTAssertEqual(bare.formatVersion, 2)
        XCTAssertEqual(try Receipt(decoding: bare.encoded()), bare)
    }

    // MARK: - Helpers

    /// hello's receipt with the STARK proof stripped to its fixed fields: structurally a receipt, and small.
    static let small: Receipt = {
        guard var receipt = try? Fixtures.hello.get() else {
            fatalError("the hello fixture failed; RoundTripTests says why")
        }
        receipt.proof.outOfDomain.main = Array(receipt.proof.outOfDomain.main.prefix(1))
        receipt.proof.outOfDomain.mainNext = []
        receipt.proof.outOfDomain.aux = []
        receipt.proof.outOfDomain.auxNext = []
        receipt.proof.outOfDomain.composition = []
        receipt.proof.remainder = Array(receipt.proof.remainder.prefix(1))
        receipt.proof.friRoots = Array(receipt.proof.friRoots.prefix(1))
        receipt.proof.friOpenings = []
        receipt.proof.mainOpening.rows = [Array(receipt.proof.mainOpening.rows[0].prefix(2))]
        receipt.proof.mainOpening.salts = []
        receipt.proof.mainOpening.nodes = Array(receipt.proof.mainOpening.nodes.prefix(1))
        receipt.proof.auxOpening = nil
        receipt.proof.auxRoot = nil
        receipt.proof.compositionOpening.rows = []
        receipt.proof.compositionOpening.nodes = []
        return receipt
    }()

    /// ``small`` without its program image.
    static let smallWithoutImage: Receipt = {
        var receipt = small
        receipt.program = nil
        return receipt
    }()

    /// ``small`` in the version 1 layout.
    static let smallVersion1 = version1(small.encoded())

    /// A version 2 encoding of a receipt with its image, rewritten in version 1: the version number changed and the
    /// image flag removed.
    static func version1(_ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes[8] == 2 && bytes[10] == 1)
        return Array(bytes[..<8]) + [1, 0] + Array(bytes[11...])
    }

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
