import FRI
import Field
import XCTest

/// The schedule helper lands on every requested size, folds by the maximum arity elsewhere, and refuses what no
/// schedule can do.
final class FRIScheduleTests: XCTestCase {
    func testExamples() throws {
        // 12 → 9 → 8 (land), 8 → 6 (land), 6 → 3 (stop).
        XCTAssertEqual(
            try FRISchedule.arities(logLayer0Size: 12, stopAt: 3, maxLogArity: 3, landingOn: [8, 6]), [3, 1, 2, 3])
        XCTAssertEqual(
            try FRISchedule.arities(logLayer0Size: 20, stopAt: 4, maxLogArity: 3, landingOn: []), [3, 3, 3, 3, 3, 1])
        // Landing on the stopping size changes nothing.
        XCTAssertEqual(
            try FRISchedule.arities(logLayer0Size: 20, stopAt: 4, maxLogArity: 3, landingOn: [4]), [3, 3, 3, 3, 3, 1])
        XCTAssertEqual(
            try FRISchedule.arities(logLayer0Size: 5, stopAt: 1, maxLogArity: 1, landingOn: [3]), [1, 1, 1, 1])
        XCTAssertEqual(
            try FRISchedule.arities(logLayer0Size: 10, stopAt: 0, maxLogArity: 4, landingOn: [9, 2]), [1, 4, 3, 2])
        XCTAssertEqual(try FRISchedule.arities(logLayer0Size: 3, stopAt: 2, maxLogArity: 3, landingOn: []), [1])
    }

    /// Random requests from a fixed seed: the arities are in 1 ... max, reach exactly the stopping size, pass
    /// through every landing size, fold by the maximum except for the last fold before each landing size, and come
    /// out the same on a second call.
    func testPropertiesOverRandomRequests() throws {
        var rng = SeededGenerator(seed: 0x5C4ED)
        for _ in 0..<500 {
            let logN = Int.random(in: 1...28, using: &rng)
            let stop = Int.random(in: 0..<logN, using: &rng)
            let maxArity = Int.random(in: 1...5, using: &rng)
            let landing = Set(
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in Int.random(in: stop..<logN, using: &rng) })
            let arities = try FRISchedule.arities(
                logLayer0Size: logN, stopAt: stop, maxLogArity: maxArity, landingOn: landing)
            XCTAssertEqual(
                arities,
                try FRISchedule.arities(logLayer0Size: logN, stopAt: stop, maxLogArity: maxArity, landingOn: landing))
            XCTAssertTrue(arities.allSatisfy { (1...maxArity).contains($0) })
            let sizes = try FRISchedule.foldedLogSizes(logLayer0Size: logN, logArities: arities)
            XCTAssertEqual(sizes.last, stop)
            XCTAssertTrue(landing.isSubset(of: sizes))
            for (i, r) in arities.enumerated() where r < maxArity {
                XCTAssertTrue(landing.union([stop]).contains(sizes[i]), "a short fold must end on a landing size")
            }
        }
    }

    func testImpossibleRequestsAreRefused() {
        func refused(_ expected: FRIError, _ body: () throws -> [Int], line: UInt = #line) {
            do {
                let arities = try body()
                XCTFail("gave \(arities); expected \(expected)", line: line)
            } catch { XCTAssertEqual(error as? FRIError, expected, line: line) }
        }
        refused(.invalidScheduleRequest(logLayer0Size: 10, stopAt: 2, maxLogArity: 0)) {
            try FRISchedule.arities(logLayer0Size: 10, stopAt: 2, maxLogArity: 0, landingOn: [])
        }
        refused(.invalidScheduleRequest(logLayer0Size: 10, stopAt: 10, maxLogArity: 3)) {
            try FRISchedule.arities(logLayer0Size: 10, stopAt: 10, maxLogArity: 3, landingOn: [])
        }
        refused(.invalidScheduleRequest(logLayer0Size: 10, stopAt: -1, maxLogArity: 3)) {
            try FRISchedule.arities(logLayer0Size: 10, stopAt: -1, maxLogArity: 3, landingOn: [])
        }
        // Layer 0's own size: such a function is added into layer 0 by the caller.
        refused(.landingSizeOutOfRange(logSize: 10, logLayer0Size: 10, stopAt: 2)) {
            try FRISchedule.arities(logLayer0Size: 10, stopAt: 2, maxLogArity: 3, landingOn: [5, 10])
        }
        refused(.landingSizeOutOfRange(logSize: 1, logLayer0Size: 10, stopAt: 2)) {
            try FRISchedule.arities(logLayer0Size: 10, stopAt: 2, maxLogArity: 3, landingOn: [1, 5])
        }
    }

    func testFoldedSizesAndPositions() throws {
        XCTAssertEqual(try FRISchedule.foldedLogSizes(logLayer0Size: 12, logArities: [3, 1, 2, 3]), [9, 8, 6, 3])
        XCTAssertEqual(try FRISchedule.foldedLogSizes(logLayer0Size: 4, logArities: [2, 2]), [2, 0])
        for arities in [[], [2, 0], [3, 2], [-1, 3]] {
            XCTAssertThrowsError(try FRISchedule.foldedLogSizes(logLayer0Size: 4, logArities: arities)) { error in
                XCTAssertEqual(error as? FRIError, .invalidSchedule(logLayer0Size: 4, logArities: arities))
            }
        }
        XCTAssertEqual(
            FRISchedule.foldedPositions([3, 40, 41, 47, 200], logArities: [3, 1, 2]),
            [[0, 5, 25], [0, 2, 12], [0, 3]])
    }
}
