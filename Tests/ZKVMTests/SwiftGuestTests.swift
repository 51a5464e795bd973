import Foundation
import XCTest
import ZKVM

/// The Swift guest example (`Vectors/programs/swift-merkle`, Embedded Swift built by `Guest/build.sh`) proves and
/// verifies like the C examples, and every accepted receipt has rejected twins beside it.
final class SwiftGuestTests: XCTestCase {
    /// `swift-merkle` on its example input, test profile: one proof shared by the tests below.
    private static let receipt: Result<Receipt, ZKVMError> = Result { () throws(ZKVMError) in
        try prove(
            program: try Examples.program("swift-merkle"), input: try! Examples.input("swift-merkle"),
            options: ProveOptions(profile: .test))
    }

    /// The journal and exit code that qemu-riscv32 and Python computed for the example (`expected.json`).
    private static func expected() throws -> (journal: [UInt8], exitCode: UInt32) {
        let url = Examples.directory.appendingPathComponent("swift-merkle/expected.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let hex = Array(object["journal"] as! String)
        let journal = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
        return (journal, UInt32(object["exit_code"] as! Int))
    }

    func testMerkleMembershipProvesAndVerifies() throws {
        let receipt = try Self.receipt.get()
        let program = try Examples.program("swift-merkle")
        let expected = try Self.expected()
        let statement = try verify(
            try Receipt(decoding: receipt.encoded()), expecting: program.id, policy: acceptTestProofs)
        XCTAssertEqual(statement.journal, expected.journal)
        XCTAssertEqual(statement.journal.count, 64, "root and nullifier")
        XCTAssertEqual(statement.exitCode, expected.exitCode)
        XCTAssertEqual(statement.programID, program.id)
        // The secret (the input's first 32 bytes) is nowhere in the receipt.
        let secret = Array(try Examples.input("swift-merkle")[0..<32])
        XCTAssertFalse(receipt.encoded().contains(subsequence: secret))
        XCTAssertTrue(receipt.encoded().contains(subsequence: statement.journal))
    }

    func testMerkleMembershipWithAnotherRootOrNullifierIsRejected() throws {
        let original = try Self.receipt.get()
        for index in [0, 31, 32, 63] {  // first and last byte of the root, then of the nullifier
            var receipt = original
            receipt.journal[index] ^= 0x01
            assertVerificationFails(receipt)
        }
        var receipt = original
        receipt.journal.removeLast(32)  // the root alone, without the nullifier
        assertVerificationFails(receipt)
    }

    func testMerkleMembershipWithTamperedProofBytesIsRejected() throws {
        let bytes = try Self.receipt.get().encoded()
        var rejected = 0
        // Flip one bit at a few places in the second half of the encoding, where the STARK proof lies.
        let offsets = (0..<4).map { bytes.count / 2 + $0 * bytes.count / 8 }
        for offset in offsets {
            var tampered = bytes
            tampered[offset] ^= 0x10
            do {
                let receipt = try Receipt(decoding: tampered)
                _ = try verify(receipt, expecting: try Examples.program("swift-merkle").id, policy: acceptTestProofs)
                XCTFail("a receipt with byte \(offset) changed verified")
            } catch {
                rejected += 1
            }
        }
        XCTAssertEqual(rejected, offsets.count)
    }

    func testMerkleMembershipUnderTheCProgramIsRejected() throws {
        // The C guest computes the same kind of statement, but it is another program: the receipt is refused.
        let receipt = try Self.receipt.get()
        let c = try Examples.program("merkle")
        XCTAssertThrowsError(try verify(receipt, expecting: c.id, policy: acceptTestProofs)) {
            XCTAssertEqual($0 as? ZKVMError, .programMismatch(expected: c.id, found: receipt.programID))
        }
    }

    private func assertVerificationFails(_ receipt: Receipt, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(
            try verify(receipt, expecting: try Examples.program("swift-merkle").id, policy: acceptTestProofs),
            file: file, line: line
        ) {
            guard case .verificationFailed = $0 as? ZKVMError else {
                return XCTFail("expected a verification failure, got \($0)", file: file, line: line)
            }
        }
    }
}
