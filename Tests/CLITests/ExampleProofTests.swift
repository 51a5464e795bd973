import Foundation
import XCTest

/// Every program in Vectors/programs proves and verifies from the command line, and the verified statement is the
/// expected journal and exit code (computed by qemu-riscv32 and Python, not by zkvm). The test profile keeps this
/// to seconds per program; the default profile is exercised by the library and demo.
final class ExampleProofTests: XCTestCase {
    func testEveryExampleProvesAndVerifiesWithItsExpectedJournal() throws {
        let programs = ZKVMBinary.root.appendingPathComponent("Vectors/programs")
        let names = try FileManager.default.contentsOfDirectory(atPath: programs.path).filter {
            FileManager.default.fileExists(atPath: programs.appendingPathComponent("\($0)/expected.json").path)
        }.sorted()
        XCTAssertEqual(names, ["bigint", "fibonacci", "hello", "merkle", "profile", "sha256", "sort", "swift-merkle"])
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-examples-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var verified = 0
        for name in names {
            let folder = programs.appendingPathComponent(name)
            let expected = try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as! [String: Any]
            let program = folder.appendingPathComponent("program.elf").path
            let proof = work.appendingPathComponent("\(name).bin").path
            let prove = try ZKVMBinary.run([
                "prove", program, "--input", folder.appendingPathComponent("input.bin").path, "-o", proof,
                "--profile", "test",
            ])
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
        print("example programs: \(verified) of \(names.count) proved, verified with their expected journals, "
            + "and refused for another program")
    }
}
