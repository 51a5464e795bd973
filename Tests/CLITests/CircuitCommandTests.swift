import Foundation
import XCTest

/// `zkvm circuit` end to end: the built binary as a subprocess, outputs, help and errors pinned, and the circuit ids
/// of Circuits/digests.txt recomputed.
final class CircuitCommandTests: XCTestCase {
    private static let root = ZKVMBinary.root
    private static let circuits = root.appendingPathComponent("Circuits")


    private func zkvm(_ arguments: [String]) throws -> ZKVMBinary.Output { try ZKVMBinary.run(arguments) }

    private func circuit(_ name: String) -> String { CircuitCommandTests.circuits.appendingPathComponent(name).path }

    /// Writes `text` to a temporary circuit file and returns its path.
    private func temporaryCircuit(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-circuit-\(UUID().uuidString).air")
        try Data(text.utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testFibonacciText() throws {
        let result = try zkvm(["circuit", circuit("fibonacci.air")])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(
            result.stdout,
            """
            circuit fibonacci
            columns (2)
              a  the earlier of two consecutive terms
              b  the later term
            public inputs (3)
              a0      first term
              b0      second term
              result  b on the last row
            periodic columns (0)
            constraints (5)
              0 a_step transition: a' − b (degree 1)
              1 b_step transition: b' − a − b (degree 1)
              2 a_start first_row: a − a0 (degree 1)
              3 b_start first_row: b − b0 (degree 1)
              4 result last_row: b − result (degree 1)
            buses (0)
            auxiliary columns (0)
            max degree 1
            circuit id e99aabf8a04897be92edc9787c4189b7697029eb496d5818167e87dd01da56ba

            """)
    }

    func testFibonacciJSON() throws {
        let result = try zkvm(["circuit", circuit("fibonacci.air"), "--json"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(
            result.stdout,
            """
            {"name": "fibonacci", "columns": [{"name": "a", "doc": "the earlier of two consecutive terms"}, \
            {"name": "b", "doc": "the later term"}], "boundary_columns": 0, \
            "public_inputs": [{"name": "a0", "doc": "first term"}, \
            {"name": "b0", "doc": "second term"}, {"name": "result", "doc": "b on the last row"}], \
            "periodic_columns": [], "constraints": [{"index": 0, "name": "a_step", "domain": "transition", \
            "formula": "a' − b", "degree": 1}, {"index": 1, "name": "b_step", "domain": "transition", \
            "formula": "b' − a − b", "degree": 1}, {"index": 2, "name": "a_start", "domain": "first_row", \
            "formula": "a − a0", "degree": 1}, {"index": 3, "name": "b_start", "domain": "first_row", \
            "formula": "b − b0", "degree": 1}, {"index": 4, "name": "result", "domain": "last_row", \
            "formula": "b − result", "degree": 1}], "buses": [], "auxiliary_columns": [], "inverse_degree": 3, \
            "pack": 1, "short_tables": null, "max_degree": 1, \
            "circuit_id": "e99aabf8a04897be92edc9787c4189b7697029eb496d5818167e87dd01da56ba"}

            """)
        // The output is one valid JSON object.
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["max_degree"] as? Int, 1)
        XCTAssertEqual(object?["inverse_degree"] as? Int, 3)
    }

    func testBusesPeriodicColumnsAndEscapes() throws {
        let path = try temporaryCircuit(
            """
            air shown
            column v   # a "quoted" \\ doc
            column m   # its multiplicity
            periodic k = [1, 2]
            constraint pin row 3: v - k
            bus lookup
                entry 1 : [v, 7]
                entry -m : [v, 0x10]
            """)
        let text = try zkvm(["circuit", path])
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("periodic columns (1)\n  k  period 2: 1, 2\n"), text.stdout)
        XCTAssertTrue(text.stdout.contains("  0 pin row 3: v − k (degree 1)\n"), text.stdout)
        XCTAssertTrue(
            text.stdout.contains("buses (1)\n  lookup\n    entry 1 : [v, 7]\n    entry −m : [v, 16]\n"), text.stdout)
        XCTAssertTrue(text.stdout.contains("auxiliary columns (2)\n  lookup.inverses0_1  "), text.stdout)
        XCTAssertTrue(
            text.stdout.contains("\ninverse degree 3: up to 2 bus entries to an inverse column\nmax degree "), text.stdout)
        let json = try zkvm(["circuit", path, "--json"])
        XCTAssertTrue(json.stdout.contains(#"{"name": "v", "doc": "a \"quoted\" \\ doc"}"#), json.stdout)
        XCTAssertTrue(json.stdout.contains(#""periodic_columns": [{"name": "k", "values": ["1", "2"]}]"#))
        XCTAssertTrue(json.stdout.contains(#"{"multiplicity": "−m", "values": ["v", "16"]}"#))
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)))
    }

    /// Every circuit file is listed in Circuits/digests.txt with the id `zkvm circuit` computes, and every listed
    /// file exists: a change to a circuit shows up as a deliberate change of that file.
    func testPinnedCircuitIds() throws {
        let listing = try String(
            contentsOf: CircuitCommandTests.circuits.appendingPathComponent("digests.txt"), encoding: .utf8)
        var pinned: [String: String] = [:]
        for line in listing.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            XCTAssertEqual(fields.count, 2, "malformed line: \(line)")
            if fields.count == 2 { pinned[String(fields[0])] = String(fields[1]) }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: CircuitCommandTests.circuits.path)
            .filter { $0.hasSuffix(".air") }
        XCTAssertEqual(Set(files), Set(pinned.keys))
        XCTAssertGreaterThanOrEqual(files.count, 3)
        for (file, id) in pinned.sorted(by: { $0.key < $1.key }) {
            let result = try zkvm(["circuit", circuit(file)])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.hasSuffix("circuit id \(id)\n"), "\(file): \(result.stdout.suffix(80))")
        }
    }

    /// Layout, comments, doc lines, macros and the spelling of constants leave the id alone; a formula or a name does
    /// not.
    func testWhatChangesTheCircuitId() throws {
        func id(_ text: String) throws -> String {
            let result = try zkvm(["circuit", try temporaryCircuit(text)])
            XCTAssertEqual(result.status, 0, result.stderr)
            return String(result.stdout.split(separator: " ").last ?? "")
        }
        let original = try String(contentsOfFile: circuit("range_check_8.air"), encoding: .utf8)
        let reference = try id(original)
        XCTAssertEqual(reference, "ca7015987dd9f19516cd91f00f69ddd001b38602c95eaf4173d3a1246842a7d9\n")
        let rewritten = """
            air range_check_8   # same circuit, written differently
            column value # v
            column table # t
            column multiplicity # m
            let rise = table' - table
            let bool(x) = x * (x - 1)
            constraint table_start first_row: (table)
            constraint table_step transition: bool(rise)
            constraint table_end last_row: table - 0xff
            bus range
            entry 0x1 : [value]
            entry -multiplicity : [table]
            """
        XCTAssertEqual(try id(rewritten), reference)
        XCTAssertNotEqual(try id(original.replacingOccurrences(of: "table - 255", with: "table - 254")), reference)
        XCTAssertNotEqual(try id(original.replacingOccurrences(of: "table_end", with: "table_last")), reference)
        XCTAssertNotEqual(
            try id(original.replacingOccurrences(of: "step * (step - 1)", with: "(step - 1) * step")), reference)
    }

    func testErrorsAreOneLine() throws {
        let missing = try zkvm(["circuit", "/nonexistent/x.air"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertEqual(
            missing.stderr, "error: /nonexistent/x.air: cannot read the circuit file: No such file or directory\n")

        let invalid = try temporaryCircuit("air t\ncolumn a # doc\nconstraint c every_row: a - b\n")
        let result = try zkvm(["circuit", invalid, "--json"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "error: \(invalid):3:29: unknown name 'b'\n")
    }

    func testHelp() throws {
        let result = try zkvm(["circuit", "--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(
            result.stdout,
            """
            OVERVIEW: Describe a circuit file: columns, constraints, buses, degree and
            circuit id.

            Loads a circuit file (.air, the format of Circuits/README.md) and prints the
            circuit's name, its columns with their doc lines, public inputs, periodic
            columns, every constraint as `index name domain: formula (degree d)`, the
            buses, the auxiliary columns the buses add, the largest constraint degree and
            the circuit id that proofs of this circuit bind. An unreadable or invalid file
            prints one error line, located as file:line:column, and exits 1.

            USAGE: zkvm circuit <file> [--json]

            ARGUMENTS:
              <file>                  The circuit file (.air).

            OPTIONS:
              --json                  Print one JSON object: name, columns, public_inputs,
                                      periodic_columns, constraints, buses,
                                      auxiliary_columns, inverse_degree, max_degree,
                                      circuit_id.
              -h, --help              Show help information.


            """)
    }
}
