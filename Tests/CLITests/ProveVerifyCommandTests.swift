import Foundation
import XCTest

/// `zkvm prove`, `verify` and `inspect` end to end: the built binary as a subprocess, outputs and errors pinned.
/// One test-profile proof of `hello` is made and shared; every other case fails before proving or reuses it.
final class ProveVerifyCommandTests: XCTestCase {
    private static let root = ZKVMBinary.root

    private static func zkvm(_ arguments: [String]) throws -> ZKVMBinary.Output { try ZKVMBinary.run(arguments) }

    private func zkvm(_ arguments: [String]) throws -> ZKVMBinary.Output { try Self.zkvm(arguments) }

    private static func example(_ name: String, _ file: String = "program.elf") -> String {
        root.appendingPathComponent("Vectors/programs/\(name)/\(file)").path
    }

    /// A fresh empty directory, removed after the test.
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-prove-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private static let helloID = "09ac393fe013edb8bca61d4587651586876a312f490eee66e5a3964ec15451e0"
    private static let fibonacciID = "3bf4469df6dcf8802716c10c89aaf61add97e21329cbe3309dc2a3c3621b8f3d"

    /// The shared proof: `hello` proven over an existing file with `--force`, so the one proof also shows that
    /// `--force` replaces the file.
    private struct SharedProof: Sendable {
        var path: String
        var prove: ZKVMBinary.Output
        var bytes: [UInt8]
    }

    private static let shared: Result<SharedProof, NSError> = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-shared-\(getpid())")
        let path = directory.appendingPathComponent("hello.proof").path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data("an older file".utf8).write(to: URL(fileURLWithPath: path))
            // The extended columns computed a coset at a time: every command below reads a proof made that way.
            let prove = try zkvm([
                "prove", example("hello"), "--input", example("hello", "input.bin"), "--profile", "test", "-o", path,
                "--force", "--json", "--extension-memory-mb", "0",
            ])
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            return .success(SharedProof(path: path, prove: prove, bytes: bytes))
        } catch {
            return .failure(error as NSError)
        }
    }()

    override class func tearDown() {
        if case .success(let proof) = shared {
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: proof.path).deletingLastPathComponent())
        }
    }

    // MARK: - prove

    func testProveJSONAndForce() throws {
        let proof = try Self.shared.get()
        XCTAssertEqual(proof.prove.status, 0, proof.prove.stderr)
        XCTAssertEqual(
            proof.prove.stderr,
            "hello: greeting the input\nnote: the test profile gives 10.0 proven bits, below the 100 zkvm verify "
                + "requires by default (see --min-bits)\n")
        let json = try JSONSerialization.jsonObject(with: Data(proof.prove.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["program_id"] as? String, Self.helloID)
        XCTAssertEqual(json["exit_code"] as? Int, 0)
        XCTAssertEqual(json["cycles"] as? Int, 57)
        XCTAssertEqual(json["journal"] as? String, "68656c6c6f2c20776f726c64210a")
        XCTAssertEqual(json["trace_length"] as? Int, 256)
        XCTAssertEqual(json["segments"] as? Int, 1)
        XCTAssertEqual(json["segment_rows"] as? Int, 256)
        XCTAssertEqual(json["memory_rows"] as? Int, 2048)
        XCTAssertEqual(json["profile"] as? String, "test")
        XCTAssertEqual(json["proof_bytes"] as? Int, proof.bytes.count)
        XCTAssertEqual(json["image_included"] as? Bool, true)
        XCTAssertEqual(json["proven_bits"] as? Double, 10.0)
        XCTAssertEqual(json["conjectured_bits"] as? Double, 18.0)
        XCTAssertGreaterThan(json["prove_seconds"] as? Double ?? 0, 0)
        XCTAssertEqual(json["output"] as? String, proof.path)
        // --force replaced the older file with the receipt, and left nothing else beside it.
        XCTAssertEqual(Array(proof.bytes.prefix(8)), Array("ZKVMRCT".utf8) + [0])
        let directory = URL(fileURLWithPath: proof.path).deletingLastPathComponent().path
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["hello.proof"])
    }

    func testExistingOutputIsKeptWithoutForce() throws {
        let output = try temporaryDirectory().appendingPathComponent("proof.bin")
        try Data("keep me".utf8).write(to: output)
        let result = try zkvm(["prove", Self.example("hello"), "--profile", "test", "-o", output.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "error: \(output.path) already exists; pass --force to overwrite it\n")
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(try Data(contentsOf: output), Data("keep me".utf8))
    }

    func testFailedProveLeavesNoFile() throws {
        let directory = try temporaryDirectory()
        // addi x0, x0, 0 ; ebreak
        let program = directory.appendingPathComponent("fault.bin")
        try Data([0x13, 0, 0, 0, 0x73, 0, 0x10, 0]).write(to: program)
        let output = directory.appendingPathComponent("proof.bin")
        let cases: [([String], String)] = [
            (
                [program.path],
                "error: EBREAK (instruction 0x00100073) at pc 0x00000004; there is no debugger to stop in "
                    + "(after 1 cycle)\n"
            ),
            (
                [Self.example("hello"), "--input", directory.appendingPathComponent("missing").path],
                "error: cannot read input file \(directory.path)/missing: no such file\n"
            ),
            (
                [directory.appendingPathComponent("missing.elf").path],
                "error: cannot read \(directory.path)/missing.elf: no such file\n"
            ),
            (
                [Self.example("hello"), "--max-cycles", "10"],
                "error: the program did not call exit within 10 cycles, so there is nothing to prove; raise the "
                    + "cycle limit if it is meant to run longer\n"
            ),
        ]
        for (arguments, message) in cases {
            let result = try zkvm(["prove"] + arguments + ["--profile", "test", "-o", output.path])
            XCTAssertEqual(result.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(result.stderr, message)
            XCTAssertEqual(result.stdout, "")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["fault.bin"])
        }
    }

    /// An execution of two segments of 2^16 rows: fibonacci for n = 7000. The JSON, verify and inspect say how it
    /// was cut; a segment size outside 2^16...2^19 is refused before anything runs.
    func testProveInSegments() throws {
        let directory = try temporaryDirectory()
        let input = directory.appendingPathComponent("n.bin")
        try Data([150, 0, 0, 0]).write(to: input)
        let path = directory.appendingPathComponent("segments.proof").path
        let fibonacci = Self.example("fibonacci")
        let prove = try zkvm([
            "prove", fibonacci, "--input", input.path, "--profile", "test", "--segment-log-rows", "10", "-o", path,
            "--json",
        ])
        XCTAssertEqual(prove.status, 0, prove.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(prove.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["segments"] as? Int, 2)
        XCTAssertEqual(json["segment_rows"] as? Int, 1024)
        XCTAssertEqual(json["trace_length"] as? Int, 2048)
        XCTAssertEqual(json["memory_rows"] as? Int, 2048)
        XCTAssertGreaterThan(json["cycles"] as? Int ?? 0, 1024)

        let verified = try zkvm(["verify", path, "--program", fibonacci, "--min-bits", "0", "--json"])
        XCTAssertEqual(verified.status, 0, verified.stderr)
        XCTAssertTrue(verified.stdout.contains("\"trace_length\": 2048"), verified.stdout)
        let inspect = try zkvm(["inspect", path])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(
            inspect.stdout.contains(
                "\nsegments     2 × 1024 rows (2^10), 2048 rows in all\nmemory       closing table of 2048 rows "
                    + "(2^11), in the last segment's proof\n"),
            inspect.stdout)
        // Two proofs, the second with the memory table: two proof-of-work nonces.
        XCTAssertTrue(inspect.stdout.contains("\n  proofs of work               16\n"), inspect.stdout)

        for rows in ["7", "20"] {
            let refused = try zkvm([
                "prove", fibonacci, "--profile", "test", "--segment-log-rows", rows, "-o",
                directory.appendingPathComponent("refused.proof").path,
            ])
            XCTAssertEqual(refused.status, 1)
            XCTAssertEqual(refused.stderr, "error: --segment-log-rows must be 8…19 (2^8 to 2^19 rows per segment)\n")
            XCTAssertEqual(refused.stdout, "")
        }
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)), ["n.bin", "segments.proof"])
    }

    // MARK: - verify

    func testVerifyPrintsTheStatement() throws {
        let proof = try Self.shared.get()
        let program = Self.example("hello")
        let result = try zkvm(["verify", proof.path, "--program", program, "--min-bits", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            verified    \(proof.path)
            program id  \(Self.helloID) (matches \(program))
            journal     14 bytes
              hex       68656c6c6f2c20776f726c64210a
              text      "hello, world!\\n"
            exit code   0
            segments    1 of 256 rows, memory table of 2048
            security    10.0 proven bits (at least 0.0 required), profile test

            """)
        XCTAssertEqual(result.stderr, "")

        let json = try zkvm(["verify", proof.path, "--program-id", Self.helloID, "--min-bits", "9.5", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(
            json.stdout,
            "{\"verified\": true, \"program_id\": \"\(Self.helloID)\", \"program_checked\": true, \"exit_code\": 0, "
                + "\"journal\": \"68656c6c6f2c20776f726c64210a\", \"trace_length\": 256, \"segments\": 1, "
                + "\"segment_rows\": 256, \"memory_rows\": 2048, \"profile\": \"test\", "
                + "\"proven_bits\": 10.0, \"conjectured_bits\": 18.0}\n")
    }

    func testVerifyWithoutAnExpectedProgramSaysSo() throws {
        let proof = try Self.shared.get()
        let result = try zkvm(["verify", proof.path, "--min-bits", "0"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(
            result.stdout.contains("program id  \(Self.helloID) (not checked against an expected program)\n"),
            result.stdout)
        XCTAssertEqual(
            result.stderr,
            "warning: the receipt is valid for the program it names, which was not checked against an expected one; "
                + "pass --program or --program-id\n")
        let json = try zkvm(["verify", proof.path, "--min-bits", "0", "--json"])
        XCTAssertTrue(json.stdout.contains("\"program_checked\": false"), json.stdout)
    }

    func testVerifyRejectsAnotherProgram() throws {
        let proof = try Self.shared.get()
        let expected =
            "error: rejected: the proof is about program \(Self.helloID), not the expected program "
            + "\(Self.fibonacciID)\n"
        for pin in [["--program-id", Self.fibonacciID], ["--program", Self.example("fibonacci")]] {
            let result = try zkvm(["verify", proof.path, "--min-bits", "0"] + pin)
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, expected)
            XCTAssertEqual(result.stdout, "")
        }
        let bad = try zkvm(["verify", proof.path, "--program-id", "09ac39"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "error: invalid program id \"09ac39\": expected 64 hexadecimal digits\n")
        let both = try zkvm(["verify", proof.path, "--program-id", Self.helloID, "--program", Self.example("hello")])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.hasPrefix("Error: pass either --program or --program-id, not both\n"), both.stderr)
    }

    func testVerifyEnforcesItsOwnMinimum() throws {
        let proof = try Self.shared.get()
        let result = try zkvm(["verify", proof.path, "--program-id", Self.helloID])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stderr,
            "error: rejected: proof parameters give 10.0 proven bits; policy requires 100.0 (see --min-bits)\n")
    }

    func testCorruptedProofsAreRejectedInOneLine() throws {
        let proof = try Self.shared.get()
        let directory = try temporaryDirectory()
        func write(_ bytes: [UInt8]) throws -> String {
            let url = directory.appendingPathComponent(UUID().uuidString)
            try Data(bytes).write(to: url)
            return url.path
        }
        // A changed byte in the last Merkle node of the last FRI opening, the journal changed, a cut file, and a
        // file that is no receipt at all.
        var flipped = proof.bytes
        flipped[flipped.count - 20] ^= 0x01
        var journal = proof.bytes
        journal[11 + 268 + 4] = UInt8(ascii: "j")  // after the header, the image and the journal's length
        let cases: [([UInt8], String)] = [
            (flipped, "error: rejected: invalid proof: "),
            (journal, "error: rejected: invalid proof: "),
            (Array(proof.bytes.prefix(5000)), "error: rejected: "),
            (Array("\u{7f}ELF and more".utf8), "error: rejected: "),
        ]
        for (bytes, prefix) in cases {
            let path = try write(bytes)
            let result = try zkvm(["verify", path, "--program-id", Self.helloID, "--min-bits", "0"])
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(result.stderr.hasPrefix(prefix), result.stderr)
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
        let cut = try zkvm(["verify", try write(Array(proof.bytes.prefix(5000))), "--min-bits", "0"])
        // After the header, the image, the journal, the exit code and the segment count, the first segment's proof
        // is cut short.
        XCTAssertTrue(
            cut.stderr.contains("is not a readable receipt: malformed receipt at byte 305: segment 0 proof length "),
            cut.stderr)
        let other = try zkvm(["verify", try write(Array("\u{7f}ELF".utf8)), "--min-bits", "0"])
        XCTAssertTrue(other.stderr.hasSuffix("not a zkvm receipt: it does not start with the bytes \"ZKVMRCT\\0\"\n"))
    }

    /// `zkvm bench verify` times a receipt that verifies, and refuses to time one that does not.
    func testBenchVerify() throws {
        let proof = try Self.shared.get()
        let result = try zkvm(["bench", "verify", proof.path, "--runs", "2", "--min-bits", "0", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["segments"] as? Double, 1)
        XCTAssertGreaterThan(json["median_ms"] as? Double ?? 0, 0)
        XCTAssertGreaterThanOrEqual(json["first_ms"] as? Double ?? 0, json["fastest_ms"] as? Double ?? 1)
        let strict = try zkvm(["bench", "verify", proof.path, "--runs", "2"])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.hasPrefix("error: rejected: "), strict.stderr)
        var flipped = proof.bytes
        flipped[flipped.count - 20] ^= 0x01
        let path = try temporaryDirectory().appendingPathComponent("flipped.proof")
        try Data(flipped).write(to: path)
        let rejected = try zkvm(["bench", "verify", path.path, "--runs", "2", "--min-bits", "0"])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.hasPrefix("error: rejected: invalid proof: "), rejected.stderr)
        XCTAssertEqual(rejected.stdout, "")
    }

    // MARK: - receipts without the program image

    func testReceiptWithoutImageNeedsTheProgram() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("bare.proof").path
        let hello = Self.example("hello")
        let prove = try zkvm([
            "prove", hello, "--input", Self.example("hello", "input.bin"), "--profile", "test", "--no-image", "-o",
            path,
        ])
        XCTAssertEqual(prove.status, 0, prove.stderr)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertTrue(
            prove.stdout.contains(
                "proof       \(path), \(bytes.count) bytes, profile test, without the program image\n"),
            prove.stdout)
        XCTAssertEqual(Array(bytes[8..<11]), [5, 0, 0])

        // With the program it verifies as the receipt with the image does.
        let verified = try zkvm(["verify", path, "--program", hello, "--min-bits", "0"])
        XCTAssertEqual(verified.status, 0, verified.stderr)
        XCTAssertTrue(verified.stdout.contains("program id  \(Self.helloID) (matches \(hello))\n"), verified.stdout)
        XCTAssertTrue(verified.stdout.contains("  text      \"hello, world!\\n\"\n"), verified.stdout)
        XCTAssertEqual(verified.stderr, "")

        // The id alone, or nothing, is not enough, and the error says what to pass.
        let missing =
            "error: \(path) leaves out the program image (it was made with --no-image); pass the program with "
            + "--program to verify it: its id \(Self.helloID) alone is not enough\n"
        for pin in [["--program-id", Self.helloID], []] {
            let result = try zkvm(["verify", path, "--min-bits", "0"] + pin)
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, missing)
            XCTAssertEqual(result.stdout, "")
        }

        // Another program is rejected, by file or by id.
        let mismatch =
            "error: rejected: the proof is about program \(Self.helloID), not the expected program "
            + "\(Self.fibonacciID)\n"
        for pin in [["--program", Self.example("fibonacci")], ["--program-id", Self.fibonacciID]] {
            let result = try zkvm(["verify", path, "--min-bits", "0"] + pin)
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, mismatch)
        }

        // A changed journal is still caught.
        var tampered = bytes
        tampered[11 + 32 + 4] = UInt8(ascii: "j")  // after the header, the program id and the journal's length
        let tamperedPath = directory.appendingPathComponent("tampered.proof").path
        try Data(tampered).write(to: URL(fileURLWithPath: tamperedPath))
        let rejected = try zkvm(["verify", tamperedPath, "--program", hello, "--min-bits", "0"])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.hasPrefix("error: rejected: invalid proof: "), rejected.stderr)

        // inspect says the image is left out, and the program id takes 32 bytes.
        let inspect = try zkvm(["inspect", path])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(
            inspect.stdout.contains("\n  image      not included (zkvm verify needs the program: --program)\n"),
            inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("\n  program id                   32\n"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("\n  receipt header               11\n"), inspect.stdout)
    }

    // MARK: - inspect

    func testInspect() throws {
        let proof = try Self.shared.get()
        let result = try zkvm(["inspect", proof.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The circuit id changes whenever the circuit does; it is pinned by the circuit's own tests.
        XCTAssertTrue(lines[1].hasPrefix("circuit id   ") && lines[1].hasSuffix(" (this zkvm's RV32IM circuit)"))
        lines[1] = "circuit id   …"
        let sizes = lines.firstIndex { $0.hasPrefix("size ") }!
        XCTAssertEqual(
            Array(lines[..<sizes]),
            [
                "format       receipt version 5, STARK proof version 6",
                "circuit id   …",
                "profile      test",
                "parameters   blowup 4, 8 queries, 2 grinding bits, folding by 4, remainder degree < 2^5, "
                    + "zero knowledge off",
                "security     10.0 proven bits (Johnson bound), 18.0 conjectured bits (ethSTARK)",
                "segments     1 × 256 rows (2^8), 256 rows in all",
                "memory       closing table of 2048 rows (2^11), in the last segment's proof",
                "statement    (claimed; zkvm verify checks it)",
                "  program id \(Self.helloID)",
                "  image      included: 2 segments, 234 bytes, entry 0x00010000",
                "  journal    14 bytes",
                "    hex      68656c6c6f2c20776f726c64210a",
                "    text     \"hello, world!\\n\"",
                "  exit code  0",
            ])
        XCTAssertEqual(lines[sizes], "size         \(proof.bytes.count) bytes")
        // Section sizes depend on the circuit's width; their names are fixed and they add up to the file.
        let sections = lines[(sizes + 1)...].filter { !$0.isEmpty }
        XCTAssertEqual(
            sections.map { $0.dropLast(9).trimmingCharacters(in: .whitespaces) },
            [
                "receipt header", "program image", "journal", "exit code", "proof headers", "commitments",
                "out-of-domain values", "FRI remainders", "proofs of work", "trace openings", "FRI layer openings",
            ])
        // The envelope's parts, then parts summed over the proofs, here the one segment's: one nonce.
        XCTAssertEqual(sections.prefix(4).map { $0.suffix(9) }, ["       11", "      268", "       18", "        4"])
        XCTAssertEqual(sections[8].suffix(9), "        8")
        let total = sections.map { Int($0.suffix(9).trimmingCharacters(in: .whitespaces))! }.reduce(0, +)
        XCTAssertEqual(total, proof.bytes.count)

        // --openings adds a line per commitment of each proof and a total per proof, after the same lines.
        let openings = try zkvm(["inspect", proof.path, "--openings"])
        XCTAssertEqual(openings.status, 0, openings.stderr)
        XCTAssertTrue(openings.stdout.hasPrefix(result.stdout), openings.stdout)
        let table = openings.stdout.dropFirst(result.stdout.count).split(separator: "\n").map(String.init)
        XCTAssertEqual(table.first, "openings")
        XCTAssertEqual(
            table[1].split(separator: " ").map(String.init),
            ["proof", "commitment", "rows", "width", "values", "salts", "nodes", "total"])
        let rows = table.dropFirst(2).map { $0.split(separator: " ").map(String.init) }
        // Main (with the boundary columns: one segment is proven alone), auxiliary, composition and the FRI layers
        // of each proof, then its total.
        XCTAssertEqual(rows.first?.prefix(3), ["segment", "1", "main"])
        XCTAssertFalse(rows.contains { $0.contains("boundary") }, openings.stdout)
        XCTAssertEqual(rows.filter { $0.contains("all") }.map { $0.prefix(2) }, [["segment", "1"]])
        XCTAssertTrue(rows.contains { $0.prefix(3) == ["segment", "1", "main"] }, openings.stdout)
    }

    func testInspectRefusesAnythingElse() throws {
        let result = try zkvm(["inspect", Self.example("hello")])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.stderr,
            "error: \(Self.example("hello")) is not a readable receipt: not a zkvm receipt: it does not start with "
                + "the bytes \"ZKVMRCT\\0\"\n")
    }

    func testHelpNamesTheCommandsAndOptions() throws {
        let top = try zkvm(["--help"])
        for command in ["prove", "verify", "inspect"] {
            XCTAssertTrue(top.stdout.contains("\n  \(command)  "), top.stdout)
        }
        let usages = [
            "prove": "USAGE: zkvm prove <program> [--input <input>] [--output <output>] [--profile <profile>] "
                + "[--extension-memory-mb <extension-memory-mb>] [--segment-log-rows <segment-log-rows>] "
                + "[--max-cycles <max-cycles>] [--no-image] [--force] [--json]",
            "verify": "USAGE: zkvm verify <proof> [--program <program>] [--program-id <program-id>] "
                + "[--min-bits <min-bits>] [--json]",
            "inspect": "USAGE: zkvm inspect <proof> [--openings]",
        ]
        for (command, usage) in usages {
            let help = try zkvm([command, "--help"])
            XCTAssertEqual(help.status, 0)
            XCTAssertTrue(help.stdout.contains(usage + "\n"), help.stdout)
        }
    }
}
