import Foundation
import XCTest

/// The programs in Vectors/programs from the command line, against their expected journals and exit codes
/// (computed by qemu-riscv32 and Python, not by zkvm). Every program runs with `zkvm run` to its expected journal and
/// exit code. Two of them prove and verify with the test profile, the verified statement being the expected one and
/// the proof refused for another example's program: `bigint`, a C guest whose Montgomery multiplication runs mul,
/// mulhu and sltu carries in an execution longer than 2^16 rows, and `swift-merkle`, an Embedded Swift guest that
/// reads its input and hashes it with SHA-256's and, or, xor and shifts. Of the others, `hello` is proven through
/// this same command line by ProveVerifyCommandTests, `sha256` with the default profile by LibraryExampleTests, and
/// `fibonacci` and `sort` (on other inputs) by the ZKVM tests; `merkle` (the C twin of `swift-merkle`) and `profile`
/// only run here. Instruction by instruction, the circuit is proven against the machine by Tests/Differential's
/// agreement test: its division and multiplication corners and a random program of register, immediate and shift
/// operations, loads, stores, branches and jumps. The default profile is exercised by the library and demo.
final class ExampleProofTests: XCTestCase {
    /// The examples proven and verified here; the rest only run.
    static let proven = ["bigint", "swift-merkle"]

    func testEveryExampleRunsAndSomeProveAndVerifyWithTheirExpectedJournals() throws {
        let programs = ZKVMBinary.root.appendingPathComponent("Vectors/programs")
        let names = try FileManager.default.contentsOfDirectory(atPath: programs.path).filter {
            FileManager.default.fileExists(atPath: programs.appendingPathComponent("\($0)/expected.json").path)
        }.sorted()
        XCTAssertEqual(names, ["bigint", "fibonacci", "hello", "merkle", "profile", "sha256", "sort", "swift-merkle"])
        XCTAssertTrue(Set(Self.proven).isSubset(of: names))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-examples-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var ran = 0
        var verified = 0
        for name in names {
            let folder = programs.appendingPathComponent(name)
            let expected = try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as! [String: Any]
            let program = folder.appendingPathComponent("program.elf").path
            let input = folder.appendingPathComponent("input.bin").path

            let run = try ZKVMBinary.run(["run", program, "--input", input, "--json"])
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
            XCTAssertEqual(result["journal"] as? String, expected["journal"] as? String, name)
            XCTAssertEqual(result["exit_code"] as? Int, expected["exit_code"] as? Int, name)
            if run.status == 0 { ran += 1 }
            guard Self.proven.contains(name) else { continue }

            let proof = work.appendingPathComponent("\(name).bin").path
            let prove = try ZKVMBinary.run(["prove", program, "--input", input, "-o", proof, "--profile", "test"])
            XCTAssertEqual(prove.status, 0, "\(name): \(prove.stderr)")
            let verify = try ZKVMBinary.run(["verify", proof, "--program", program, "--min-bits", "0", "--json"])
            XCTAssertEqual(verify.status, 0, "\(name): \(verify.stderr)")
            let statement = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as! [String: Any]
            XCTAssertEqual(statement["journal"] as? String, expected["journal"] as? String, name)
            XCTAssertEqual(statement["exit_code"] as? Int, expected["exit_code"] as? Int, name)
            XCTAssertEqual(statement["program_checked"] as? Bool, true, name)
            // The same proof checked against another example's program is refused.
            let other = names.first { $0 != name }!
            let wrong = try ZKVMBinary.run([
                "verify", proof, "--program", programs.appendingPathComponent("\(other)/program.elf").path,
                "--min-bits", "0",
            ])
            XCTAssertNotEqual(wrong.status, 0, "\(name) verified as \(other)")
            if verify.status == 0 && wrong.status != 0 { verified += 1 }
        }
        XCTAssertEqual(ran, names.count)
        XCTAssertEqual(verified, Self.proven.count)
        print("example programs: \(ran) of \(names.count) ran to their expected journals; \(verified) of "
            + "\(Self.proven.count) proved, verified with their expected journals, and refused for another program")
    }
}
