import RV32IM
import XCTest

/// Known answers from Python's hashlib.
final class SHA256Tests: XCTestCase {
    func testKnownAnswers() {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmjklmnklmnlmnomnopnopq",
                "4ceb5781c381a641497f0f67d09c7d4f22934b892f8e24a312bccbbbc0df6ca0"
            ),
        ]
        for (message, digest) in cases {
            XCTAssertEqual(hex(SHA256.hash(Array(message.utf8))), digest, message)
        }
    }

    func testPaddingBoundaries() {
        let digests: [Int: String] = [
            55: "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b",
            56: "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27",
            63: "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055",
            64: "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241",
            65: "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e",
            119: "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e",
            120: "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5",
            1000: "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371",
        ]
        for (count, digest) in digests {
            let message = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
            XCTAssertEqual(hex(SHA256.hash(message)), digest, "\(count) bytes")
            // Absorbing in pieces must not change the digest.
            var hasher = SHA256()
            for piece in stride(from: 0, to: count, by: 13) { hasher.update(message[piece..<min(count, piece + 13)]) }
            XCTAssertEqual(hex(hasher.finalize()), digest, "\(count) bytes in pieces")
        }
    }

    func testMillionA() {
        let message = [UInt8](repeating: 0x61, count: 1_000_000)
        XCTAssertEqual(
            hex(SHA256.hash(message)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
