import Foundation
import XCTest

/// `zkvm run` end to end: the built binary as a subprocess, outputs and error messages pinned.
final class RunCommandTests: XCTestCase {
    private static let root = ZKVMBinary.root


    private func zkvm(_ arguments: [String]) throws -> ZKVMBinary.Output { try ZKVMBinary.run(arguments) }

    private func example(_ name: String, _ file: String) -> String {
        RunCommandTests.root.appendingPathComponent("Vectors/programs/\(name)/\(file)").path
    }

    /// Writes `bytes` to a temporary file and returns its path.
    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-run-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private func words(_ values: [UInt32]) -> [UInt8] {
        values.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    func testTextOutput() throws {
        let result = try zkvm(["run", example("hello", "program.elf"), "--input", example("hello", "input.bin")])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(
            result.stdout,
            """
            journal     14 bytes
              hex       68656c6c6f2c20776f726c64210a
              text      "hello, world!\\n"
            exit code   0
            cycles      57
            program id  09ac393fe013edb8bca61d4587651586876a312f490eee66e5a3964ec15451e0

            """)
        XCTAssertEqual(result.stderr, "hello: greeting the input\n")
    }

    func testBinaryJournalHasNoTextLine() throws {
        let result = try zkvm(["run", example("sha256", "program.elf"), "--input", example("sha256", "input.bin")])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(
            result.stdout.contains("  hex       eb73c5f95c1170775b9e92deb51547e2a0d48d4435d2c748af33ab70fb3a06d2\n"))
        XCTAssertFalse(result.stdout.contains("text"))
    }

    func testJSONReproducesEveryExample() throws {
        for name in ["fibonacci", "sha256", "merkle", "sort", "bigint", "hello", "profile"] {
            let result = try zkvm([
                "run", example(name, "program.elf"), "--input", example(name, "input.bin"), "--json",
            ])
            XCTAssertEqual(result.status, 0, name)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            let expected =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: example(name, "expected.json")))) as! [String: Any]
            XCTAssertEqual(json["journal"] as? String, expected["journal"] as? String, name)
            XCTAssertEqual(json["exit_code"] as? Int, expected["exit_code"] as? Int, name)
            XCTAssertEqual((json["program_id"] as? String)?.count, 64, name)
            XCTAssertGreaterThan(json["cycles"] as? Int ?? 0, 0, name)
        }
    }

    func testNonZeroExitCodeIsStillSuccess() throws {
        // addi a7, zero, 93 ; addi a0, zero, 7 ; ecall
        let program = try temporaryFile(words([0x05d0_0893, 0x0070_0513, 0x0000_0073]))
        let result = try zkvm(["run", program, "--json"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("\"exit_code\": 7, \"cycles\": 3, \"journal\": \"\""), result.stdout)
    }

    func testGuestFaultsGiveOneLine() throws {
        let cases: [([UInt32], [String], String)] = [
            (
                [0x0010_0073], [],
                "error: EBREAK (instruction 0x00100073) at pc 0x00000000; there is no debugger to stop in "
                    + "(after 0 cycles)\n"
            ),
            (
                [0x0000_0013, 0x3000_2573], [],
                "error: illegal instruction 0x30002573 at pc 0x00000004 (not RV32IM) (after 1 cycle)\n"
            ),
            (
                [0x0000_006f], ["--max-cycles", "1000"],
                "error: cycle limit of 1000 reached before the guest called exit; raise it with --max-cycles "
                    + "(Limits.maxCycles) (after 1000 cycles)\n"
            ),
            (
                [0x0390_0893, 0x0000_0073], [],
                "error: unsupported syscall 57 at pc 0x00000004 (supported: 63 read, "
                    + "64 write, 93/94 exit) (after 1 cycle)\n"
            ),
            (
                [0x0010_2283], [],
                "error: misaligned 4-byte access at pc 0x00000000 to address 0x00000001 (after 0 cycles)\n"
            ),
            (
                [0x0000_0013], [],
                "error: instruction fetch at pc 0x00000004 outside the program's executable segments "
                    + "(after 1 cycle)\n"
            ),
        ]
        for (program, options, message) in cases {
            let result = try zkvm(["run", try temporaryFile(words(program))] + options)
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, message)
            XCTAssertEqual(result.stdout, "")
        }
    }

    func testBadFilesGiveOneLine() throws {
        var elf64 = [UInt8](repeating: 0, count: 64)
        elf64[0..<7] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]
        let elf64Path = try temporaryFile(elf64)
        let truncated = try temporaryFile(
            Array(try Data(contentsOf: URL(fileURLWithPath: example("hello", "program.elf"))).prefix(30)))
        let empty = try temporaryFile([])
        let cases: [([String], String)] = [
            (["/nonexistent/program"], "error: cannot read program file /nonexistent/program: no such file\n"),
            (["/tmp"], "error: cannot read program file /tmp: it is a directory\n"),
            ([empty], "error: cannot load \(empty): the program file is empty\n"),
            (
                [elf64Path],
                "error: cannot load \(elf64Path): 64-bit ELF file; zkvm runs RV32IM: compile with "
                    + "-march=rv32im -mabi=ilp32\n"
            ),
            ([truncated], "error: cannot load \(truncated): truncated ELF header: needs 52 bytes, the file has 30\n"),
            (
                [example("hello", "program.elf"), "--input", "/nonexistent/input"],
                "error: cannot read input file /nonexistent/input: no such file\n"
            ),
            (
                [example("hello", "program.elf"), "--input", example("hello", "input.bin"), "--max-input-bytes", "2"],
                "error: input of 5 bytes exceeds the input limit of 2 bytes; raise it with --max-input-bytes "
                    + "(Limits.maxInputBytes)\n"
            ),
        ]
        for (arguments, message) in cases {
            let result = try zkvm(["run"] + arguments)
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(result.stderr, message)
        }
    }

    func testMalformedProgramsNeverCrash() throws {
        var state: UInt64 = 7
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: example("hello", "program.elf"))))
        for _ in 0..<40 {
            var bytes = original
            for _ in 0..<6 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[Int(state >> 33) % 160] = UInt8(truncatingIfNeeded: state >> 13)
            }
            let result = try zkvm(["run", try temporaryFile(bytes), "--max-cycles", "100000"])
            XCTAssertTrue(result.status == 0 || result.status == 1, "status \(result.status)")
            XCTAssertFalse(result.stderr.contains("Fatal error"))
            if result.status == 1 {
                XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
                XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
            }
        }
    }

    /// `zkvm bench vm` on a short guest: the JSON keys other tools read.
    func testBenchVMJSON() throws {
        let result = try zkvm(["bench", "vm", "--json", "--runs", "1", "--iterations", "10000"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertGreaterThan(json["mips_fast"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(json["mips_trace"] as? Double ?? 0, 0)
        XCTAssertEqual(json["trace_bytes_per_cycle"] as? Int, 44)
        XCTAssertEqual(json["cycles_per_run"] as? Int, 200_007)
    }

    func testHelp() throws {
        let result = try zkvm(["run", "--help"])
        XCTAssertEqual(result.status, 0)
        for line in [
            "USAGE: zkvm run <program> [--input <input>] [--max-cycles <max-cycles>] [--max-pages <max-pages>]",
            "--input <input>         File whose bytes are the private input the guest",
            "--json                  Print one JSON object: program_id, exit_code, cycles,",
            "[--json] [--profile <file>] [--profile-top <n>]",
            "--profile <file>        Write the guest's cycles by call stack to this file,",
            "--profile-top <n>       Print the n functions with the most self cycles on",
        ] {
            XCTAssertTrue(result.stdout.contains(line), "help lacks: \(line)\n\(result.stdout)")
        }
    }
}
