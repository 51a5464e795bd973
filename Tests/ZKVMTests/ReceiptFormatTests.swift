import Foundation
import XCTest
import ZKVM

/// The receipt envelope: canonical encoding, its layout, and a decoder that never traps.
final class ReceiptFormatTests: XCTestCase {
    func testEncodingIsCanonical() throws {
        let receipt = try Fixtures.hello.get()
        let bytes = receipt.encoded()
        XCTAssertEqual(Array(bytes.prefix(10)), Array("ZKVMRCT".utf8) + [0, 1, 0])
        let decoded = try Receipt(decoding: bytes)
        XCTAssertEqual(decoded, receipt)
        XCTAssertEqual(decoded.encoded(), bytes)
    }

    func testSectionsAddUpToTheEncoding() throws {
        for receipt in [try Fixtures.hello.get(), try Fixtures.fibonacci.get(), Self.small] {
            let sections = receipt.sections
            XCTAssertEqual(sections.reduce(0) { $0 + $1.byteCount }, receipt.encoded().count)
            XCTAssertEqual(sections.first { $0.name == "journal" }?.byteCount, 4 + receipt.journal.count)
            XCTAssertEqual(
                sections.map(\.name),
                [
                    "receipt header", "program image", "journal", "exit code", "proof header", "commitments",
                    "out-of-domain values", "FRI remainder", "proof of work", "trace openings", "FRI layer openings",
                ])
        }
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
        var v2 = bytes
        v2[8] = 2
        XCTAssertThrowsError(try Receipt(decoding: v2)) {
            XCTAssertEqual($0 as? ZKVMError, .unsupportedReceiptVersion(found: 2, supported: 1))
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
        entry[10] = 0x01
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
        let small = Self.small.encoded()
        for length in 0...small.count {
            _ = try? Receipt(decoding: Array(small.prefix(length)))
        }
        for _ in 0..<20_000 {
            let mutated = mutate(small, &rng)
            if let receipt = try? Receipt(decoding: mutated) {
                decoded += 1
                XCTAssertEqual(receipt.encoded(), mutated)
            }
        }
        // Mutations of a real receipt are kept to its envelope and the proof's header: each that decodes costs a
        // whole proof decode (about 10 ms), and the STARK proof's own fuzz covers the rest.
        let window = 10 + Self.small.sections[1].byteCount + 200
        for _ in 0..<100 {
            var mutated = real
            let at = Int.random(in: 0..<window, using: &rng)
            mutated[at] = UInt8.random(in: 0...255, using: &rng)
            if let receipt = try? Receipt(decoding: mutated) { XCTAssertEqual(receipt.encoded(), mutated) }
        }
        for _ in 0..<1000 {
            var random = [UInt8](repeating: 0, count: Int.random(in: 0..<64, using: &rng))
            for i in random.indices { random[i] = UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { random = ReceiptFormat.magic + [1, 0] + random }
            XCTAssertNil(try? Receipt(decoding: random))
        }
        XCTAssertGreaterThan(decoded, 0, "some mutations (image data bytes) should still decode")
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
