import Foundation
import XCTest
import ZKVM

/// The example of `docs/library.md`, run as written, and the privacy of the receipt it makes.
final class LibraryExampleTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Proves knowledge of a secret whose SHA-256 is public with the default profile, verifies the receipt from
    /// its bytes and the program id alone, and checks that the secret appears nowhere in the receipt.
    func testProveKnowledgeOfAHashPreimage() throws {
        // The example's paths are relative to the repository root.
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Self.root.path))

        // example begin
        struct WrongCommitment: Error {}

        // The prover holds the secret; the sha256 guest publishes the SHA-256 of its private input.
        let program = try Program(contentsOf: "Vectors/programs/sha256/program.elf")
        let secret = Array("correct horse battery staple".utf8)
        let receipt = try prove(program: program, input: secret)
        let receiptBytes = receipt.encoded()  // send these

        // The verifier has the receipt's bytes, the program id it trusts and the public commitment, nothing else.
        let trustedProgram = try ProgramID(hex: "0e3dc97d5aa3c400c192bcb8c75a0ce6f611015ccf607f4bee447073eaeb3671")
        let commitment = "c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a"
        let statement = try verify(try Receipt(decoding: receiptBytes), expecting: trustedProgram)
        let published = statement.journal.map { String(format: "%02x", $0) }.joined()
        guard statement.exitCode == 0, published == commitment else { throw WrongCommitment() }
        // example end

        XCTAssertEqual(statement.profile, .default)
        XCTAssertGreaterThanOrEqual(statement.provenBits, 100)
        XCTAssertTrue(statement.parameters.zeroKnowledge)

        // Privacy: neither the secret's bytes nor the field elements its bytes, 16-bit halves and 32-bit words
        // would be as trace values occur in the receipt. Field encodings are searched for in the STARK proofs only,
        // since the program image legitimately holds small values followed by zeros.
        XCTAssertFalse(receiptBytes.contains(subsequence: secret))
        let proofs = receipt.segmentProofs.map { $0.encoded() }
        var values = Set(secret.map { UInt32($0) })
        for start in 0..<secret.count - 3 {
            let word = (0..<4).reduce(UInt32(0)) { $0 | UInt32(secret[start + $1]) << (8 * $1) }
            values.insert(word)
            values.insert(word & 0xffff)
            values.insert(word >> 16)
        }
        for value in values {
            let encoding = (0..<32).map { $0 < 4 ? UInt8(truncatingIfNeeded: value >> (8 * $0)) : 0 }
            for proof in proofs {
                XCTAssertFalse(proof.contains(subsequence: encoding), "the value \(value) appears in a proof")
            }
        }
        // The twin: the public output, which is part of the statement, is found by the same search.
        XCTAssertTrue(receiptBytes.contains(subsequence: statement.journal))

        // The same bytes under another program id, or with another commitment, are refused.
        XCTAssertThrowsError(try verify(try Receipt(decoding: receiptBytes), expecting: try Examples.program("hello")))
        {
            guard case .programMismatch = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
        var forged = try Receipt(decoding: receiptBytes)
        forged.journal[0] ^= 1
        XCTAssertThrowsError(try verify(forged, expecting: trustedProgram)) {
            guard case .verificationFailed = $0 as? ZKVMError else { return XCTFail("\($0)") }
        }
    }

    /// The example in `docs/library.md` is this test's code, line for line.
    func testDocumentationShowsThisExample() throws {
        let test = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/library.md"), encoding: .utf8)
        let fromTest = Self.lines(of: test, between: "// example begin", and: "// example end")
        let fromDoc = Self.lines(of: doc, between: "<!-- example begin -->\n```swift", and: "```\n<!-- example end -->")
        XCTAssertFalse(fromTest.isEmpty)
        XCTAssertEqual(fromDoc, ["import ZKVM", ""] + fromTest)
    }

    /// The lines strictly between two markers, each without its leading spaces.
    private static func lines(of text: String, between start: String, and end: String) -> [String] {
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex)
        else { return [] }
        return text[from.upperBound..<to.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst().dropLast().map { String($0.drop { $0 == " " }) }
    }
}
