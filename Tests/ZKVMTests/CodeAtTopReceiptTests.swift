import XCTest
import ZKVM

/// A receipt is only as good as the loader that reads its image: a program whose code reaches the last word of the
/// address space (where JAL once linked 2^32) cannot be carried by a receipt at all.
final class CodeAtTopReceiptTests: XCTestCase {
    func testReceiptWithCodeInTheLastWordDoesNotDecode() throws {
        let nop: [UInt8] = [0x13, 0, 0, 0]
        let code = Array([[UInt8]](repeating: nop, count: 0x3ff).joined())
        let highest = try Program(
            segments: [Segment(address: 0xffff_f000, size: 0xffc, data: code, executable: true)], entry: 0xffff_f000)
        let small = ReceiptFormatTests.small
        var bytes = Receipt(program: highest, journal: [], exitCode: 0, segmentProofs: small.segmentProofs).encoded()
        XCTAssertNoThrow(try Receipt(decoding: bytes))
        // One word more: the segment's size field (after the magic, version, image flag, entry and count).
        XCTAssertEqual(Array(bytes[23..<27]), [0xfc, 0x0f, 0, 0])
        bytes[23] = 0x00
        bytes[24] = 0x10
        XCTAssertThrowsError(try Receipt(decoding: bytes)) {
            XCTAssertEqual($0 as? ZKVMError, .invalidProgram(.codeAtTopOfMemory(index: 0)))
        }
    }

    /// Every word of code takes a memory-table row, so a program with more code than the proofs have rows is refused
    /// before the verifier derives its program table and memory entries from it.
    func testProgramTooLargeForTheProofIsRefusedEarly() throws {
        let nop: [UInt8] = [0x13, 0, 0, 0]
        let huge = try Program(
            segments: [Segment(address: 0x1_0000, size: 1 << 20, data: nop, executable: true)], entry: 0x1_0000)
        let small = ReceiptFormatTests.small
        XCTAssertLessThan(1 << small.segmentProofs[0].logTraceLength, (1 << 20) / 4)
        XCTAssertLessThan(1 << small.memoryLogRows!, (1 << 20) / 4)
        let receipt = Receipt(program: huge, journal: [], exitCode: 0, segmentProofs: small.segmentProofs)
        XCTAssertThrowsError(try verify(receipt, expecting: huge, policy: VerifierPolicy(minimumProvenBits: 0))) {
            guard case .verificationFailed(let reason) = $0 as? ZKVMError else { return XCTFail("\($0)") }
            XCTAssertTrue("\(reason)".contains("262144 words of code"), "\(reason)")
        }
    }

    /// Two programs that load to the same execution but have different ids (here: one more byte of zero fill in a
    /// data segment) are different statements: the proof binds the program id itself, so a receipt of one is
    /// refused for the other.
    func testReceiptHoldsForExactlyOneProgramID() throws {
        let receipt = try Fixtures.hello.get()
        let program = try XCTUnwrap(receipt.program)
        var segments = program.segments
        let data = try XCTUnwrap(segments.firstIndex { !$0.executable })
        segments[data].size += 1
        let twin = try Program(segments: segments, entry: program.entry)
        XCTAssertNotEqual(twin.id, program.id)
        XCTAssertNoThrow(try verify(receipt, expecting: program, policy: acceptTestProofs))
        var forged = receipt
        forged.program = twin
        XCTAssertEqual(forged.programID, twin.id)
        XCTAssertThrowsError(try verify(forged, expecting: twin, policy: acceptTestProofs)) {
            guard case .verificationFailed = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }
}
