import Profiler
import XCTest

/// The gzip writer, read back by the inflater of ``ProfileDecoder``.
final class GzipTests: XCTestCase {
    func testCRC32KnownAnswers() {
        XCTAssertEqual(Gzip.crc32(Array("123456789".utf8)), 0xcbf4_3926)
        XCTAssertEqual(Gzip.crc32([]), 0)
        XCTAssertEqual(Gzip.crc32(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414f_a339)
    }

    func testRoundTripAcrossBlockBoundaries() throws {
        var state: UInt64 = 1
        for size in [0, 1, 65_534, 65_535, 65_536, 200_000] {
            let data = (0..<size).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 40)
            }
            let stream = Gzip.compress(data)
            XCTAssertEqual(Array(stream.prefix(3)), [0x1f, 0x8b, 8], "size \(size)")
            XCTAssertEqual(try ProfileDecoder.gunzip(stream), data, "size \(size)")
        }
    }

    func testRepetitiveDataShrinksAndRoundTrips() throws {
        let cases: [[UInt8]] = [
            Array(repeating: 7, count: 100_000),
            Array((0..<50_000).flatMap { [UInt8($0 % 7), UInt8($0 % 13), 1, 2, 3] }),
            Array("abcabcabcabcabcabcabcabcab".utf8),
            (0..<300).flatMap { i in Array("sample \(i % 17) of \(i % 5)\n".utf8) },
            (0..<40_000).map { UInt8(truncatingIfNeeded: $0 * $0 >> 3) },
        ]
        for data in cases {
            let stream = Gzip.compress(data)
            XCTAssertEqual(try ProfileDecoder.gunzip(stream), data)
        }
        XCTAssertLessThan(Gzip.compress(cases[0]).count, 1_000)
        XCTAssertLessThan(Gzip.compress(cases[1]).count, cases[1].count / 10)
    }

    func testCorruptStreamsAreRejected() throws {
        let stream = Gzip.compress(Array("profile".utf8))
        var badCRC = stream
        badCRC[badCRC.count - 8] ^= 1
        XCTAssertThrowsError(try ProfileDecoder.gunzip(badCRC))
        XCTAssertThrowsError(try ProfileDecoder.gunzip(Array(stream.dropLast(3))))
        XCTAssertThrowsError(try ProfileDecoder.gunzip([0x1f, 0x8b]))
    }
}
