import Foundation
import XCTest

/// `zkvm run --profile` and `--profile-top` end to end: the table pinned for the example guest, the file written
/// (also when the guest faults), and one-line errors for bad arguments. The profile's contents are checked by
/// `ProfilerTests` and, through a second decoder, by `Tests/Differential/test_profile.py`.
final class ProfileCommandTests: XCTestCase {
    private func example(_ file: String) -> String {
        ZKVMBinary.root.appendingPathComponent("Vectors/programs/profile/\(file)").path
    }

    private func temporaryPath() -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-profile-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testTopFunctionsArePrintedOnStandardError() throws {
        let plain = try ZKVMBinary.run(["run", example("program.elf"), "--input", example("input.bin")])
        let result = try ZKVMBinary.run([
            "run", example("program.elf"), "--input", example("input.bin"), "--profile-top", "3",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, plain.stdout, "the profile leaves standard output alone")
        XCTAssertEqual(
            result.stderr,
            """
            profile: 6883 cycles in 9 functions; the top 3 by self cycles
             self    self%  total   total%  function
             6818   99.06%   6818   99.06%  g
               24    0.35%   6877   99.91%  main
               17    0.25%   6029   87.59%  f

            """)
        let stripped = try ZKVMBinary.run([
            "run", example("program-stripped.elf"), "--input", example("input.bin"), "--profile-top", "100",
        ])
        XCTAssertEqual(stripped.status, 0, stripped.stderr)
        XCTAssertEqual(
            stripped.stderr,
            """
            profile: 6883 cycles in 5 functions; the top 5 by self cycles
             self    self%  total   total%  function
             6818   99.06%   6818   99.06%  0x0001001c
               38    0.55%   6877   99.91%  0x00010098
               17    0.25%   6029   87.59%  0x00010044
                6    0.09%   6883  100.00%  0x00010000
                4    0.06%      4    0.06%  0x00010088

            """)
    }

    func testProfileFileIsGzipAndTheSameForTheSameRun() throws {
        let (first, second) = (temporaryPath(), temporaryPath())
        for path in [first, second] {
            let result = try ZKVMBinary.run([
                "run", example("program.elf"), "--input", example("input.bin"), "--json", "--profile", path,
            ])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stderr, "")
            XCTAssertTrue(result.stdout.contains("\"cycles\": 6883"), result.stdout)
        }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: first)))
        XCTAssertEqual(Array(bytes.prefix(3)), [0x1f, 0x8b, 8])
        XCTAssertGreaterThan(bytes.count, 100)
        XCTAssertEqual(bytes, [UInt8](try Data(contentsOf: URL(fileURLWithPath: second))))
    }

    func testProfileIsWrittenWhenTheGuestFaults() throws {
        let path = temporaryPath()
        let result = try ZKVMBinary.run([
            "run", example("program.elf"), "--input", example("input.bin"), "--max-cycles", "100", "--profile", path,
            "--profile-top", "1",
        ])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stderr,
            """
            profile: 100 cycles in 7 functions; the top 1 by self cycles
             self    self%  total   total%  function
               67   67.00%     67   67.00%  g
            error: cycle limit of 100 reached before the guest called exit; raise it with --max-cycles \
            (Limits.maxCycles) (after 100 cycles)

            """)
        XCTAssertEqual(Array([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))).prefix(2)), [0x1f, 0x8b])
    }

    func testBadProfileArgumentsGiveClearErrors() throws {
        for count in ["0", "-2"] {
            let result = try ZKVMBinary.run(["run", example("program.elf"), "--profile-top=\(count)"])
            XCTAssertEqual(result.status, 64)
            XCTAssertTrue(
                result.stderr.hasPrefix("Error: --profile-top must be at least 1, not \(count)\n"), result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
        let directory = FileManager.default.temporaryDirectory.path
        let cases: [(String, String)] = [
            ("/nonexistent/profile.pb.gz", "no such directory /nonexistent"),
            (directory, "it is a directory"),
            ("", "no such file or directory"),
        ]
        for (path, reason) in cases {
            let result = try ZKVMBinary.run(["run", example("program.elf"), "--profile", path])
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, "error: cannot write profile \(path): \(reason)\n")
            XCTAssertEqual(result.stdout, "", "the guest must not run when its profile cannot be written")
        }
    }
}
