import AIR
import ExampleAIRs
import Field
import Foundation
import XCTest

// Foundation has an Expression type too; the tests mean the AIR one.
import enum AIR.Expression

/// The circuit file loader: the files in Circuits/ load to the AIRs built in Swift, every error is located and
/// worded as documented, hostile input never traps.
final class CircuitFileTests: XCTestCase {
    static let circuits = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Circuits")

    static func path(_ name: String) -> String { circuits.appendingPathComponent(name).path }

    static func source(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    // MARK: - The circuit files equal their Swift definitions

    private func assertSameAIR(_ loaded: AIR, _ built: AIR, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(loaded.canonicalDescription, built.canonicalDescription, file: file, line: line)
        XCTAssertEqual(loaded.constraints, built.constraints, file: file, line: line)
        XCTAssertEqual(loaded.mainColumns.map(\.name), built.mainColumns.map(\.name), file: file, line: line)
        XCTAssertEqual(loaded.buses, built.buses, file: file, line: line)
        XCTAssertEqual(loaded.periodicColumns, built.periodicColumns, file: file, line: line)
        XCTAssertEqual(loaded.auxColumns, built.auxColumns, file: file, line: line)
    }

    func testFibonacciFileIsTheSwiftAIR() throws {
        let air = try AIR(contentsOfCircuitFile: Self.path("fibonacci.air"))
        assertSameAIR(air, FibonacciAIR.air)
        // Doc lines are not part of the circuit id, but the file is where they live: they must survive loading.
        XCTAssertEqual(air.mainColumns, FibonacciAIR.air.mainColumns)
        XCTAssertEqual(air.publicInputs, FibonacciAIR.air.publicInputs)
    }

    func testRangeCheckFileIsTheSwiftAIR() throws {
        let air = try AIR(contentsOfCircuitFile: Self.path("range_check_8.air"))
        assertSameAIR(air, RangeCheckAIR(bits: 8).air)
        XCTAssertEqual(air.mainColumns.map(\.doc)[0], "a value that must lie in [0, 2^8)")
    }

    func testRescueShapedFileIsTheSwiftAIR() throws {
        let air = try AIR(contentsOfCircuitFile: Self.path("rescue_shaped.air"))
        assertSameAIR(air, RescueShapedAIR.air)
        XCTAssertEqual(air.maxDegree, 3)
    }

    /// rescue_shaped.air is generated from the seeded constants of `RescueShapedAIR`; set ZKVM_WRITE_CIRCUITS=1 to
    /// rewrite it after changing the generator.
    func testRescueShapedFileIsGenerated() throws {
        let generated = Self.rescueShapedSource()
        if ProcessInfo.processInfo.environment["ZKVM_WRITE_CIRCUITS"] == "1" {
            try generated.write(toFile: Self.path("rescue_shaped.air"), atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try Self.source("rescue_shaped.air"), generated)
    }

    static func rescueShapedSource() -> String {
        let width = RescueShapedAIR.width
        func padded(_ s: String, _ n: Int) -> String {
            s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0)
        }
        var lines = [
            "# The trace shape of ethSTARK's Rescue benchmark: 12 state columns, each step",
            "# next = M·state^3 + c_round with a fixed 12×12 matrix M and round constants in 12 periodic",
            "# columns of period 8. Public inputs are the first and last states. A benchmark workload, not a",
            "# hash: M and the constants are seeded pseudo-random field elements.",
            "#",
            "# Generated from RescueShapedAIR by Tests/AIRTests/CircuitFileTests.swift (rescueShapedSource); to",
            "# regenerate: ZKVM_WRITE_CIRCUITS=1 swift test --filter CircuitFileTests/testRescueShapedFileIsGenerated",
            "air rescue_shaped_12",
            "",
        ]
        for i in 0..<width { lines.append(padded("column s\(i)", 12) + "# state element \(i)") }
        lines.append("")
        for i in 0..<width { lines.append(padded("public in\(i)", 13) + "# state element \(i) on the first row") }
        for i in 0..<width { lines.append(padded("public out\(i)", 13) + "# state element \(i) on the last row") }
        for i in 0..<width {
            lines.append("")
            lines.append("# The constants added to state element \(i), round by round.")
            lines.append("periodic c\(i) = [")
            let values = RescueShapedAIR.constants[i].map(\.hexString)
            for (r, v) in values.enumerated() { lines.append("    \(v)" + (r == values.count - 1 ? "" : ",")) }
            lines.append("]")
        }
        lines.append("")
        for i in 0..<width { lines.append("let cube\(i) = s\(i)^3") }
        for i in 0..<width {
            lines.append("")
            lines.append("constraint round_\(i) transition: s\(i)' - (")
            lines.append("    c\(i)")
            for j in 0..<width { lines.append("    + \(RescueShapedAIR.matrix[i][j].hexString) * cube\(j)") }
            lines.append(")")
        }
        lines.append("")
        for i in 0..<width {
            lines.append("constraint input_\(i) first_row: s\(i) - in\(i)")
            lines.append("constraint output_\(i) last_row: s\(i) - out\(i)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Every feature of the format

    func testEveryFeatureBuildsTheExpectedExpressions() throws {
        let source = """
            # A circuit exercising every statement and operator.
            air features

            column x      # a value
            column y      # another value
            column flag   # a boolean
            public p      # a public value
            periodic k = [1, 0x2, -3, 000]   # a selector; leading zeros are fine

            let bool(v) = v * (v - 1)
            let double(v) = v + v
            let s = x + y
            let pair(u, v) = u * v

            constraint flag_bool every_row: bool(flag)
            constraint step transition: x' - double(s) * k - -p
            constraint pin row 7: y^2 - 0x10 * p
            constraint signs every_row: --x + (y)
            constraint spread transition: (
                x' * y'   # comments inside brackets are ignored
                - s
            ) + pair(flag, y')
            constraint power first_row: -x^3 * (y)^2

            bus lookups
                entry flag : [x, y, 3]
                entry -1 : [
                    y,
                    x,
                    0
                ]
            """
        let air = try AIR(circuitSource: source, fileName: "features.air")
        let (x, y, flag) = (Expression.main(0, .current), Expression.main(1, .current), Expression.main(2, .current))
        let (xn, yn) = (Expression.main(0, .next), Expression.main(1, .next))
        let p = Expression.publicInput(0)
        let k = Expression.periodic(0)
        let s = Expression.add(x, y)
        let built = try AIR(
            name: "features",
            mainColumns: [
                Column("x", doc: "a value"), Column("y", doc: "another value"), Column("flag", doc: "a boolean"),
            ],
            publicInputs: [PublicInput("p", doc: "a public value")],
            periodicColumns: [PeriodicColumn("k", values: [Fp(1), Fp(2), -Fp(3), .zero])],
            constraints: [
                Constraint(name: "flag_bool", domain: .everyRow, .mul(flag, .sub(flag, .constant(.one)))),
                Constraint(name: "step", domain: .transition, .sub(.sub(xn, .mul(.add(s, s), k)), .neg(p))),
                Constraint(name: "pin", domain: .row(7), .sub(.power(y, 2), .mul(.constant(Fp(16)), p))),
                Constraint(name: "signs", domain: .everyRow, .add(.neg(.neg(x)), y)),
                Constraint(name: "spread", domain: .transition, .add(.sub(.mul(xn, yn), s), .mul(flag, yn))),
                Constraint(name: "power", domain: .firstRow, .mul(.neg(.power(x, 3)), .power(y, 2))),
            ],
            buses: [
                LogUpBus(
                    "lookups",
                    entries: [
                        LogUpEntry(multiplicity: flag, values: [x, y, .constant(Fp(3))]),
                        LogUpEntry(multiplicity: .neg(.constant(.one)), values: [y, x, .constant(.zero)]),
                    ])
            ])
        assertSameAIR(air, built)
        XCTAssertEqual(air.mainColumns, built.mainColumns)
        XCTAssertEqual(air.publicInputs, built.publicInputs)
    }

    /// The macro example of Circuits/README.md, with the columns it assumes.
    func testReadmeMacroExample() throws {
        let source = """
            air example
            column table   # t
            column is_add  # a flag
            column rd      # result
            column rs1     # operand
            column rs2     # operand
            let step = table' - table                 # may read the next row itself
            let bool(x) = x * (x - 1)                 # zero exactly when x is 0 or 1
            let select(s, a, b) = s * a + (1 - s) * b

            constraint table_step transition: step * (step - 1)
            constraint is_add_bool every_row: bool(is_add)
            constraint rd_value   every_row: rd - select(is_add, rs1 + rs2, rs1 - rs2)
            """
        let air = try AIR(circuitSource: source, fileName: "example.air")
        let (flag, rd, rs1, rs2) = (
            Expression.main(1, .current), Expression.main(2, .current), Expression.main(3, .current),
            Expression.main(4, .current)
        )
        let one = Expression.constant(.one)
        XCTAssertEqual(
            air.constraints[2].expression,
            .sub(rd, .add(.mul(flag, .add(rs1, rs2)), .mul(.sub(one, flag), .sub(rs1, rs2)))))
        XCTAssertEqual(air.maxDegree, 2)
    }

    func testLineEndingsCommentsAndMissingFinalNewline() throws {
        let unix = "air t\ncolumn a # the column\nconstraint c every_row: a - 1"
        let windows = "air t\r\ncolumn a   # the column  \r\n\r\n# aside\r\nconstraint c every_row: a - 1\r\n"
        for text in [unix, windows] {
            let air = try AIR(circuitSource: text, fileName: "t.air")
            XCTAssertEqual(air.mainColumns, [Column("a", doc: "the column")])
            XCTAssertEqual(air.constraints[0].expression, .sub(.main(0, .current), .constant(.one)))
        }
    }

    func testConstantsUpToTheModulus() throws {
        let pMinusOne = String(Fp.modulusDecimal.dropLast()) + "0"
        let air = try AIR(circuitSource: "air t\ncolumn a # a\nconstraint c every_row: a - \(pMinusOne)", fileName: "t")
        XCTAssertEqual(air.constraints[0].expression, .sub(.main(0, .current), .constant(-Fp.one)))
        let hex = try AIR(circuitSource: "air t\ncolumn a # a\nconstraint c every_row: a - 0XfF", fileName: "t")
        XCTAssertEqual(hex.constraints[0].expression, .sub(.main(0, .current), .constant(Fp(255))))
    }

    // MARK: - Errors

    /// Loads `body` after a two-line header declaring `air t` and `column a`, so positions count from line 3.
    private func error(_ source: String, header: Bool = true) -> String {
        let text = header ? "air t\ncolumn a # doc\n" + source : source
        do {
            _ = try AIR(circuitSource: text, fileName: "t.air")
            return "loaded"
        } catch {
            return error.description
        }
    }

    func testLexicalErrors() {
        XCTAssertEqual(error("constraint c every_row: a $ 1"), "t.air:3:27: unexpected character '$'")
        XCTAssertEqual(error("column é # doc"), "t.air:3:8: unexpected character U+00E9")
        XCTAssertEqual(error("constraint c every_row: a\u{0}"), "t.air:3:26: unexpected character U+0000")
        XCTAssertEqual(error("constraint c transition: (a)' - a"), "t.air:3:29: unexpected character \"'\"")
        XCTAssertEqual(error("constraint c every_row: a''"), "t.air:3:27: unexpected character \"'\"")
        XCTAssertEqual(
            error("constraint c every_row: a - 12ab"),
            "t.air:3:29: malformed number '12ab'; write a decimal integer or 0x and hexadecimal digits")
        XCTAssertEqual(
            error("constraint c every_row: a - 0x"),
            "t.air:3:29: malformed number '0x'; write a decimal integer or 0x and hexadecimal digits")
        XCTAssertEqual(
            error("constraint c every_row: a - \(Fp.modulusDecimal)"),
            "t.air:3:29: constant \(Fp.modulusDecimal) is not below the field modulus")
        XCTAssertEqual(
            error("periodic k = [0x\(String(repeating: "f", count: 63))]"),
            "t.air:3:15: constant 0x\(String(repeating: "f", count: 63)) is not below the field modulus")
    }

    func testSyntaxErrors() {
        XCTAssertEqual(error("constraint c every_row a"), "t.air:3:24: expected ':', found 'a'")
        XCTAssertEqual(error("constraint c every_row: a +"), "t.air:3:28: expected an expression, found end of line")
        XCTAssertEqual(error("constraint c every_row: a b"), "t.air:3:27: expected end of line, found 'b'")
        XCTAssertEqual(error("constraint c every_row: a^2^2"), "t.air:3:28: expected end of line, found '^'")
        XCTAssertEqual(error("constraint c every_row: a^b"), "t.air:3:27: expected an exponent, found 'b'")
        XCTAssertEqual(
            error("constraint c sometimes: a"),
            "t.air:3:14: expected a domain (every_row, transition, first_row, last_row or row N), found 'sometimes'")
        XCTAssertEqual(error("constraint c row x: a"), "t.air:3:18: expected a row number, found 'x'")
        XCTAssertEqual(
            error("constraint c every_row: (a\ncolumn b # doc\n"),
            "t.air:4:1: expected ')' to match the '(' at 3:25, found 'column'")
        XCTAssertEqual(
            error("constraint c every_row: (a + 1"),
            "t.air:3:31: expected ')' to match the '(' at 3:25, found end of file")
        XCTAssertEqual(error("column a' # doc"), "t.air:3:8: expected a column name, found 'a''")
        XCTAssertEqual(error("= 1"), "t.air:3:1: expected a statement, found '='")
        XCTAssertEqual(error("periodic k = []"), "t.air:3:15: expected a constant, found ']'")
        XCTAssertEqual(error("periodic k [1]"), "t.air:3:12: expected '=', found '['")
        XCTAssertEqual(
            error("colum b # doc"),
            "t.air:3:1: unknown statement 'colum'; a line starts with air, column, public, periodic, let, "
                + "constraint, bus or entry")
    }

    func testMisplacedStatements() {
        XCTAssertEqual(
            error("column a # doc\nair t\n", header: false),
            "t.air:1:1: misplaced 'column': the file must start with 'air NAME'")
        XCTAssertEqual(error("air u"), "t.air:3:1: misplaced 'air': the circuit is already named on line 1")
        XCTAssertEqual(
            error("entry 1 : [a]"),
            "t.air:3:1: misplaced 'entry': an entry must follow its 'bus' line or another entry")
        XCTAssertEqual(
            error("bus b\nentry 1 : [a]\nconstraint c every_row: a\nentry 1 : [a]"),
            "t.air:6:1: misplaced 'entry': an entry must follow its 'bus' line or another entry")
        XCTAssertEqual(error("", header: false), "t.air: the file declares nothing; it must start with 'air NAME'")
        XCTAssertEqual(
            error("# a comment\n\n", header: false), "t.air: the file declares nothing; it must start with 'air NAME'")
    }

    // MARK: - inverse degree

    /// A bus of three entries: two lookups of x and the table m at multiplicity −m.
    private static let threeEntries = """
        column x  # a value
        column m  # the value's count
        bus b
            entry 1  : [x]
            entry 1  : [x]
            entry -m : [m]
        """

    func testInverseDegreeStatement() throws {
        let plain = try AIR(circuitSource: "air t\n" + Self.threeEntries, fileName: "t.air")
        XCTAssertEqual(plain.inverseDegree, AIR.defaultInverseDegree)
        XCTAssertEqual(plain.auxColumns.map(\.name), ["b.inverses0_1", "b.inverse2", "buses.sum"])

        let source = "air t\ninverse degree 4  # three entries to an inverse column\n\n" + Self.threeEntries
        let four = try AIR(circuitSource: source, fileName: "t.air")
        XCTAssertEqual(four.inverseDegree, 4)
        XCTAssertEqual(four.auxColumns.map(\.name), ["b.inverses0_2", "buses.sum"])
        XCTAssertEqual(four.maxDegree, 4)
        let (x, m) = (Expression.main(0, .current), Expression.main(1, .current))
        let built = try AIR(
            name: "t", mainColumns: [Column("x", doc: "a value"), Column("m", doc: "the value's count")],
            constraints: [],
            buses: [
                LogUpBus(
                    "b",
                    entries: [
                        LogUpEntry(multiplicity: .constant(.one), values: [x]),
                        LogUpEntry(multiplicity: .constant(.one), values: [x]),
                        LogUpEntry(multiplicity: .neg(m), values: [m]),
                    ])
            ],
            inverseDegree: 4)
        assertSameAIR(four, built)

        // Stating the default changes nothing.
        let three = try AIR(circuitSource: "air t\ninverse degree 3\n" + Self.threeEntries, fileName: "t.air")
        XCTAssertEqual(three.canonicalDescription, plain.canonicalDescription)

        // The printer writes the setting when it is not the default, and the text loads back to the same AIR.
        XCTAssertTrue(four.circuitSource.hasPrefix("air t\ninverse degree 4\n"), four.circuitSource)
        XCTAssertFalse(plain.circuitSource.contains("inverse degree"))
        let again = try AIR(circuitSource: four.circuitSource, fileName: "printed.air")
        XCTAssertEqual(again.inverseDegree, 4)
        assertSameAIR(again, four)
    }

    func testInverseDegreeErrors() {
        func load(_ text: String) -> String { error(text, header: false) }
        let misplaced = "misplaced 'inverse degree'"
        XCTAssertEqual(
            error("inverse degree 4"),
            "t.air:3:1: \(misplaced): it comes right after 'air NAME', before any declaration")
        XCTAssertEqual(
            load("air t\n# the setting\ninverse degree 4\n\ninverse degree 5\ncolumn a # doc\n"),
            "t.air:5:1: \(misplaced): the inverse degree is already set on line 3")
        XCTAssertEqual(
            load("air t\ninverse degree 4\ncolumn a # doc\ninverse degree 4\n"),
            "t.air:4:1: \(misplaced): the inverse degree is already set on line 2")
        XCTAssertEqual(
            load("inverse degree 4\nair t\n"), "t.air:1:1: misplaced 'inverse': the file must start with 'air NAME'")
        for text in ["0", "1", "7", "64", "99999999999999999999999", "0x4"] {
            XCTAssertEqual(
                load("air t\ninverse degree \(text)\ncolumn a # doc\n"),
                "t.air:2:16: inverse degree \(text) is not a decimal integer from 2 to 6")
        }
        XCTAssertEqual(
            load("air t\ninverse degree\n"), "t.air:2:15: expected a degree from 2 to 6, found end of line")
        XCTAssertEqual(load("air t\ninverse degree four\n"), "t.air:2:16: expected a degree from 2 to 6, found 'four'")
        XCTAssertEqual(load("air t\ninverse degree -4\n"), "t.air:2:16: expected a degree from 2 to 6, found '-'")
        XCTAssertEqual(load("air t\ninverse 4\n"), "t.air:2:9: expected 'degree' after 'inverse', found '4'")
        XCTAssertEqual(load("air t\ninverse degree 4 5\n"), "t.air:2:18: expected end of line, found '5'")
        // Elsewhere `inverse` is an ordinary name.
        XCTAssertEqual(load("air t\ncolumn inverse # doc\nconstraint degree every_row: inverse\n"), "loaded")
    }

    func testNameErrors() {
        XCTAssertEqual(
            error("column b"), "t.air:3:8: column 'b' has no doc comment; end its line with '# what it holds'")
        XCTAssertEqual(
            error("public p #   "),
            "t.air:3:8: public input 'p' has no doc comment; end its line with '# what it holds'")
        XCTAssertEqual(error("public a # doc"), "t.air:3:8: 'a' is already declared on line 2")
        XCTAssertEqual(error("let a = 1"), "t.air:3:5: 'a' is already declared on line 2")
        XCTAssertEqual(error("let f(a) = 1"), "t.air:3:7: 'a' is already declared on line 2")
        XCTAssertEqual(error("let f(u, u) = u"), "t.air:3:10: 'u' is already declared on line 3")
        XCTAssertEqual(
            error("constraint c every_row: a\n\nconstraint c every_row: a"),
            "t.air:5:12: 'c' is already declared on line 3")
        XCTAssertEqual(
            error("bus b\nentry 1 : [a]\nbus b\nentry 1 : [a]"), "t.air:5:5: 'b' is already declared on line 3")
        XCTAssertEqual(error("constraint c every_row: a - b"), "t.air:3:29: unknown name 'b'")
        XCTAssertEqual(error("let m = m + a"), "t.air:3:9: unknown name 'm'")
        XCTAssertEqual(error("let f(u) = u\nconstraint c every_row: u"), "t.air:4:25: unknown name 'u'")
    }

    func testReferenceErrors() {
        let next = "only a column can be read on the next row with '"
        XCTAssertEqual(
            error("public p # doc\nconstraint c transition: a - p'"), "t.air:4:30: 'p' is a public input; \(next)")
        XCTAssertEqual(
            error("periodic k = [1]\nconstraint c transition: a' - k'"), "t.air:4:31: 'k' is a periodic column; \(next)"
        )
        XCTAssertEqual(error("let m = a + 1\nconstraint c transition: m'"), "t.air:4:26: 'm' is a macro; \(next)")
        XCTAssertEqual(error("let f(u) = u'"), "t.air:3:12: 'u' is a macro parameter; \(next)")
        let noArguments = "not a macro with parameters, so it takes no arguments"
        XCTAssertEqual(error("constraint c every_row: a(1)"), "t.air:3:25: 'a' is a column, \(noArguments)")
        XCTAssertEqual(error("let f(u) = u(1)"), "t.air:3:12: 'u' is a macro parameter, \(noArguments)")
        XCTAssertEqual(
            error("let f(u, v) = u * v\nconstraint c every_row: f(a)"),
            "t.air:4:25: macro 'f' takes 2 arguments, 1 given")
        XCTAssertEqual(
            error("let f(u) = u\nconstraint c every_row: f"), "t.air:4:25: macro 'f' takes 1 argument, 0 given")
        XCTAssertEqual(
            error("let m = a\nconstraint c every_row: m(a)"), "t.air:4:25: macro 'm' takes 0 arguments, 1 given")
    }

    func testNumberRangeErrors() {
        let exponent = "is not a decimal integer from 1 to 64"
        XCTAssertEqual(error("constraint c every_row: a^0"), "t.air:3:27: exponent 0 \(exponent)")
        XCTAssertEqual(error("constraint c every_row: a^65"), "t.air:3:27: exponent 65 \(exponent)")
        XCTAssertEqual(error("constraint c every_row: a^0x2"), "t.air:3:27: exponent 0x2 \(exponent)")
        XCTAssertEqual(
            error("constraint c row 4294967296: a"), "t.air:3:18: row 4294967296 is not a decimal integer below 2^32")
        XCTAssertEqual(
            error("constraint c row 0x1: a"), "t.air:3:18: row 0x1 is not a decimal integer below 2^32")
        XCTAssertEqual(
            error("periodic k = [1, 2, 3]"),
            "t.air:3:10: periodic column 'k' has 3 values; the period must be a power of two")
    }

    func testMeaningErrors() {
        XCTAssertEqual(
            error("constraint c first_row: a'"),
            "t.air:3:12: constraint 'c' reads the next row, so its domain must be transition, not first_row")
        XCTAssertEqual(
            error("constraint c row 3: a' - a"),
            "t.air:3:12: constraint 'c' reads the next row, so its domain must be transition, not row 3")
        XCTAssertEqual(
            error("public p # doc\nconstraint c every_row: p - 1"),
            "t.air:4:12: constraint 'c' reads no column, so it is either always or never satisfied")
        XCTAssertEqual(
            error("bus b\n  entry 1 : [a']"),
            "t.air:4:3: an entry of bus 'b' reads the next row; bus entries see one row at a time")
        XCTAssertEqual(error("bus b\n# nothing\ncolumn c # doc"), "t.air:3:5: bus 'b' has no entries")
        XCTAssertEqual(error("bus b"), "t.air:3:5: bus 'b' has no entries")
        XCTAssertEqual(
            error("column b # doc\nconstraint c every_row: a"),
            "t.air:3:8: column 'b' appears in no constraint or bus entry, so a prover could put anything in it")
        XCTAssertEqual(error("air t\n", header: false), "t.air: invalid AIR: no main columns")
        XCTAssertEqual(
            error(""),
            "t.air:2:8: column 'a' appears in no constraint or bus entry, so a prover could put anything in it")
        XCTAssertEqual(error("bus b\nentry 1 : [a]"), "loaded")
    }

    func testLimits() {
        let nesting = String(repeating: "(", count: 65) + "a" + String(repeating: ")", count: 65)
        XCTAssertEqual(
            error("constraint c every_row: \(nesting)"),
            "t.air:3:89: expression too complex: brackets nested more than 64 deep")
        // Each macro doubles the previous one: 20 lines would be a million nodes.
        var doubling = "let m0 = a\n"
        for i in 1...20 { doubling += "let m\(i) = m\(i - 1) + m\(i - 1)\n" }
        XCTAssertEqual(
            error(doubling), "t.air:19:15: expression too complex: more than 65536 nodes once macros are expanded")
        let longSum = "constraint c every_row: " + Array(repeating: "a", count: 600).joined(separator: " + ")
        XCTAssertEqual(
            error(longSum), "t.air:3:2023: expression too complex: nested more than 500 deep once macros are expanded")
        let signs = "constraint c every_row: " + String(repeating: "-", count: 100_000) + "a"
        XCTAssertEqual(
            error(signs), "t.air:3:99525: expression too complex: nested more than 500 deep once macros are expanded")
        XCTAssertEqual(
            error("let m = a^64\nconstraint c every_row: m^64"),
            "t.air:4:26: expression too complex: degree 4096 is above 1024")
        // Repeated squaring through parameterised macros stays within the limits' bookkeeping, never a trap.
        var squares = "let q0(u) = u * u\n"
        for i in 1...40 { squares += "let q\(i)(u) = q\(i - 1)(q\(i - 1)(u))\n" }
        XCTAssertTrue(error(squares + "constraint c every_row: q40(a)").contains("expression too complex"))
    }

    /// An expression at the depth limit still loads, and every evaluator walks it without trouble.
    func testDeepestExpressionIsUsable() throws {
        let terms = Array(repeating: "a", count: CircuitFileLimits.maxDepth).joined(separator: " + ")
        let air = try AIR(circuitSource: "air t\ncolumn a # a\nconstraint c every_row: \(terms)", fileName: "t")
        XCTAssertEqual(air.constraints[0].expression.degree, 1)
        XCTAssertEqual(air.constraints[0].expression.formula(names: air.names).count, 4 * 500 - 3)
        let trace = try TraceTable(columns: [[Fp](repeating: .zero, count: 4)])
        XCTAssertEqual(try air.check(trace: trace, publicInputs: [], challenges: []), [])
        XCTAssertFalse(air.canonicalDescription.isEmpty)
    }

    func testUnreadableFiles() throws {
        XCTAssertThrowsError(try AIR(contentsOfCircuitFile: "/nonexistent/x.air")) {
            XCTAssertEqual("\($0)", "/nonexistent/x.air: cannot read the circuit file: No such file or directory")
        }
        let directory = FileManager.default.temporaryDirectory.path
        XCTAssertThrowsError(try AIR(contentsOfCircuitFile: directory)) {
            XCTAssertEqual("\($0)", "\(directory): cannot read the circuit file: Is a directory")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkvm-circuit-\(UUID().uuidString).air")
        try Data([0x61, 0x69, 0x72, 0x20, 0xff, 0x0a]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try AIR(contentsOfCircuitFile: url.path)) {
            XCTAssertEqual($0 as? CircuitFileError, .unreadable(file: url.path, reason: "not UTF-8 text"))
        }
    }

    // MARK: - Built-in tables

    func testBuiltinTablesHoldTheirDocumentedValues() {
        XCTAssertEqual(
            CircuitBuiltinTable.allCases.map(\.name), ["byte", "byte_pair_lo", "byte_pair_hi", "byte_pair_and"])
        XCTAssertEqual(CircuitBuiltinTable.byte.values, (0..<256).map { Fp(UInt64($0)) })
        var lo: [Fp] = []
        var hi: [Fp] = []
        var and: [Fp] = []
        // Row r = 256·y + x holds the pair (x, y): enumerated here pair by pair rather than row by row.
        for y in 0..<UInt64(256) {
            for x in 0..<UInt64(256) {
                lo.append(Fp(x))
                hi.append(Fp(y))
                and.append(Fp(x & y))
            }
        }
        XCTAssertEqual(CircuitBuiltinTable.bytePairLo.values, lo)
        XCTAssertEqual(CircuitBuiltinTable.bytePairHi.values, hi)
        XCTAssertEqual(CircuitBuiltinTable.bytePairAnd.values, and)
        XCTAssertEqual(CircuitBuiltinTable.bytePairAnd.values[0xF0_3C], Fp(0x30))
        XCTAssertEqual(CircuitBuiltinTable(name: "byte_pair_hi"), .bytePairHi)
        XCTAssertNil(CircuitBuiltinTable(name: "byte_pair"))
    }

    /// A built-in table is shorthand for its values: the same AIR, and so the same circuit id, as writing them out.
    func testBuiltinTableIsTheWrittenOutTable() throws {
        func circuit(_ tables: [String]) -> String {
            """
            air tables
            column x   # a value
            column m   # multiplicity
            periodic lo = \(tables[0])
            periodic hi = \(tables[1])   # a trailing comment is allowed
            periodic both = \(tables[2])
            constraint c every_row: x * (x - 1)
            bus pairs
                entry -1 : [x, 0, 0]
                entry m : [lo, hi, both]
            """
        }
        let builtin = try AIR(
            circuitSource: circuit(["builtin byte_pair_lo", "builtin byte_pair_hi", "builtin byte_pair_and"]),
            fileName: "builtin.air")
        let written = try AIR(
            circuitSource: circuit(
                [CircuitBuiltinTable.bytePairLo, .bytePairHi, .bytePairAnd].map {
                    "[" + $0.values.map(\.description).joined(separator: ", ") + "]"
                }),
            fileName: "written.air")
        XCTAssertEqual(builtin.canonicalDescription, written.canonicalDescription)
        XCTAssertEqual(builtin.periodicColumns, written.periodicColumns)
        XCTAssertEqual(builtin.periodicColumns.map(\.name), ["lo", "hi", "both"])
        XCTAssertEqual(builtin.periodicColumns[2].values, CircuitBuiltinTable.bytePairAnd.values)
    }

    func testBuiltinTableErrors() {
        XCTAssertEqual(
            error("periodic k = builtin bytes"),
            "t.air:3:22: unknown built-in table 'bytes'; the built-in tables are byte, byte_pair_lo, "
                + "byte_pair_hi, byte_pair_and")
        XCTAssertEqual(error("periodic k = builtin"), "t.air:3:21: expected a built-in table name, found end of line")
        XCTAssertEqual(
            error("periodic k = builtin byte_pair_lo'"),
            "t.air:3:22: expected a built-in table name, found 'byte_pair_lo''")
        XCTAssertEqual(
            error("periodic k = builtin byte_pair_lo, byte_pair_hi"),
            "t.air:3:34: expected end of line, found ','")
        XCTAssertEqual(error("periodic k = builtin [1]"), "t.air:3:22: expected a built-in table name, found '['")
        XCTAssertEqual(
            error("periodic k = byte_pair_lo"), "t.air:3:14: expected '[' or 'builtin', found 'byte_pair_lo'")
        XCTAssertEqual(error("periodic k = 5"), "t.air:3:14: expected '[' or 'builtin', found '5'")
        // The name after `builtin` is the table's, not a declared name: the column itself may be called anything.
        XCTAssertEqual(
            error("periodic builtin = builtin builtin"),
            "t.air:3:28: unknown built-in table 'builtin'; "
                + "the built-in tables are byte, byte_pair_lo, byte_pair_hi, byte_pair_and")
        XCTAssertEqual(
            error("periodic byte_pair_lo = builtin byte_pair_lo\nconstraint c every_row: a * byte_pair_lo"), "loaded")
        XCTAssertEqual(
            error("periodic k = builtin byte_pair_lo\nperiodic k = builtin byte_pair_hi"),
            "t.air:4:10: 'k' is already declared on line 3")
    }

    // MARK: - Printing

    func testPrintedExampleCircuitsLoadBack() throws {
        for air in [FibonacciAIR.air, RangeCheckAIR(bits: 8).air, RescueShapedAIR.air] {
            let printed = try AIR(circuitSource: air.circuitSource, fileName: "printed.air")
            assertSameAIR(printed, air)
            // The format requires a doc line, so a missing one is printed as a placeholder.
            func documented(_ items: [Column]) -> [Column] {
                items.map { Column($0.name, doc: $0.doc.isEmpty ? "undocumented" : $0.doc) }
            }
            XCTAssertEqual(printed.mainColumns, documented(air.mainColumns))
            XCTAssertEqual(printed.publicInputs, documented(air.publicInputs))
        }
    }

    func testPrintedCircuitText() throws {
        XCTAssertEqual(
            FibonacciAIR.air.circuitSource,
            """
            air fibonacci

            column a  # the earlier of two consecutive terms
            column b  # the later term

            public a0      # first term
            public b0      # second term
            public result  # b on the last row

            constraint a_step transition: a' - b
            constraint b_step transition: b' - a - b
            constraint a_start first_row: a - a0
            constraint b_start first_row: b - b0
            constraint result last_row: b - result

            """)
        let air = try AIR(
            circuitSource: """
                air t
                column x   # a value
                periodic k = [1, -1, 2, 0]
                periodic big = builtin byte_pair_and
                constraint c every_row: x * k - big
                bus b
                    entry -1 : [x, 2]
                """, fileName: "t.air")
        XCTAssertEqual(
            air.circuitSource,
            """
            air t

            column x  # a value

            periodic k = [1, -1, 2, 0]
            periodic big = builtin byte_pair_and

            constraint c every_row: x * k - big

            bus b
                entry -1 : [x, 2]

            """)
    }

    /// Every expression prints with the parentheses its tree needs and no others, and loads back to the same tree.
    func testPrintedExpressionsKeepTheirShape() throws {
        let names = ExpressionNames(main: ["x", "y"], aux: [], periodic: ["k"], publicInputs: ["p"])
        let (x, y, k, p) = (
            Expression.main(0, .current), Expression.main(1, .current), Expression.periodic(0),
            Expression.publicInput(0)
        )
        let cases: [(Expression, String)] = [
            (.sub(.sub(x, y), p), "x - y - p"),
            (.sub(x, .sub(y, p)), "x - (y - p)"),
            (.add(x, .add(y, k)), "x + (y + k)"),
            (.mul(.mul(x, y), k), "x * y * k"),
            (.mul(x, .mul(y, k)), "x * (y * k)"),
            (.mul(.add(x, y), .sub(x, y)), "(x + y) * (x - y)"),
            (.power(.power(x, 2), 3), "(x^2)^3"),
            (.neg(.power(x, 2)), "-x^2"),
            (.power(.neg(x), 2), "(-x)^2"),
            (.mul(.neg(x), y), "-x * y"),
            (.neg(.mul(x, y)), "-(x * y)"),
            (.neg(.neg(x)), "--x"),
            (.add(x, .neg(y)), "x + (-y)"),
            (.mul(x, .neg(.constant(.one))), "x * (-1)"),
            (.power(.constant(Fp(2)), 3), "2^3"),
            (.sub(.main(0, .next), x), "x' - x"),
            (.mul(x, .constant(-Fp.one)), "x * 0x800000000000011000000000000000000000000000000000000000000000000"),
            (.mul(.constant(Fp(1 << 32) * Fp(1 << 32)), y), "18446744073709551616 * y"),
        ]
        for (expression, text) in cases {
            XCTAssertEqual(expression.circuitSyntax(names: names), text)
        }

        // Random trees from a fixed seed: printed, loaded, and compared node for node.
        var rng = SeededGenerator(seed: 0x9121_7E5)
        func leaf() -> Expression {
            switch rng.next() % 7 {
            case 0: return x
            case 1: return .main(1, .next)
            case 2: return k
            case 3: return p
            case 4: return .constant(Fp(rng.next() % 300))
            case 5: return .constant(-Fp(rng.next() % 3))
            default: return y
            }
        }
        func tree(_ depth: Int) -> Expression {
            guard depth > 0, rng.next() % 5 != 0 else { return leaf() }
            switch rng.next() % 5 {
            case 0: return .add(tree(depth - 1), tree(depth - 1))
            case 1: return .sub(tree(depth - 1), tree(depth - 1))
            case 2: return .mul(tree(depth - 1), tree(depth - 1))
            case 3: return .neg(tree(depth - 1))
            default: return .power(tree(depth - 1), 1 + Int(rng.next() % 3))
            }
        }
        for _ in 0..<2_000 {
            // Adding x keeps the constraint's degree positive whatever the tree.
            let expression = Expression.add(x, tree(6))
            let source = """
                air t
                column x   # x
                column y   # y
                public p   # p
                periodic k = [1, 2]
                constraint c transition: \(expression.circuitSyntax(names: names))
                constraint d every_row: y
                """
            let air = try AIR(circuitSource: source, fileName: "t.air")
            XCTAssertEqual(air.constraints[0].expression, expression, source)
        }
    }

    // MARK: - Fuzzing

    /// 24,000 mutations of the three circuit files (random deletions, insertions of tokens and stray characters,
    /// duplicated, dropped and swapped lines) from a fixed seed: each loads or throws a located error, never traps.
    func testMutatedCircuitFilesNeverTrap() throws {
        let snippets = [
            "(", ")", "[", "]", "'", "-", "+", "*", "^", "^64", "^0", "^65", ",", ":", "=", "#", "\n", " ", "0x", "0",
            "7", String(repeating: "9", count: 80), "a", "b", "s0", "table", "value", "step", "cube3", "é", "\u{0}",
            "\t", "\r", "column", "public", "periodic", "let", "constraint", "bus", "entry", "air", "row", "row 3",
            "transition", "first_row", "every_row", "last_row", "let q(z) = z * z\n", "q(a)", "q(", "entry 1 : [a]\n",
            "bus x\n", "column z # new\n", "periodic k = [1, 2]\n", String(repeating: "(", count: 70),
        ]
        let originals = try ["fibonacci.air", "range_check_8.air", "rescue_shaped.air"].map {
            Array(try Self.source($0).unicodeScalars)
        }
        var rng = SeededGenerator(seed: 0xC1AC_0175)
        var (loaded, refused) = (0, 0)
        for iteration in 0..<24_000 {
            var text = originals[iteration % originals.count]
            for _ in 0...(rng.next() % 3) { mutate(&text, snippets: snippets, using: &rng) }
            var source = ""
            source.unicodeScalars.append(contentsOf: text)
            do {
                let air = try AIR(circuitSource: source, fileName: "m.air")
                _ = air.canonicalDescription
                loaded += 1
            } catch {
                XCTAssertTrue(error.description.hasPrefix("m.air"), error.description)
                refused += 1
            }
        }
        XCTAssertEqual(loaded + refused, 24_000)
        XCTAssertGreaterThan(loaded, 1_000)
        XCTAssertGreaterThan(refused, 10_000)
    }

    private func mutate(_ text: inout [Unicode.Scalar], snippets: [String], using rng: inout SeededGenerator) {
        func index(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(rng.next() % UInt64(bound)) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        switch rng.next() % 6 {
        case 0:
            let start = index(text.count)
            text.removeSubrange(start..<min(text.count, start + 1 + index(10)))
            return
        case 1:
            text.insert(contentsOf: snippets[index(snippets.count)].unicodeScalars, at: index(text.count + 1))
            return
        case 2:
            let i = index(text.count)
            if i < text.count { text[i] = Unicode.Scalar(UInt8(32 + index(95))) }
            return
        case 3: lines.insert(lines[index(lines.count)], at: index(lines.count + 1))
        case 4: lines.remove(at: index(lines.count))
        default: lines.swapAt(index(lines.count), index(lines.count))
        }
        text = Array(lines.joined(separator: ["\n"]))
    }
}
