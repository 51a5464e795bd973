import AIR
import ArgumentParser
import Foundation
import Proof

struct CircuitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuit",
        abstract: "Describe a circuit file: columns, constraints, buses, degree and circuit id.",
        discussion: """
            Loads a circuit file (.air, the format of Circuits/README.md) and prints the circuit's name, its \
            columns with their doc lines, public inputs, periodic columns, every constraint as `index name \
            domain: formula (degree d)`, the buses, the auxiliary columns the buses add, the largest constraint \
            degree and the circuit id that proofs of this circuit bind. An unreadable or invalid file prints one \
            error line, located as file:line:column, and exits 1.
            """)

    @Argument(help: "The circuit file (.air).")
    var file: String

    @Flag(
        help: """
            Print one JSON object: name, columns, public_inputs, periodic_columns, constraints, buses, \
            auxiliary_columns, inverse_degree, max_degree, circuit_id.
            """)
    var json = false

    func run() throws {
        let air: AIR
        do {
            air = try AIR(contentsOfCircuitFile: file)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let id = StarkProtocol.circuitDigest(of: air).description
        print(json ? CircuitCommand.json(air, id: id) : CircuitCommand.text(air, id: id), terminator: "")
    }

    // MARK: - Text

    static func text(_ air: AIR, id: String) -> String {
        let names = air.names
        var out = "circuit \(air.name)\n"
        func section(_ title: String, _ count: Int) { out += "\(title) (\(count))\n" }
        func table(_ rows: [(String, String)]) {
            let width = rows.map(\.0.count).max() ?? 0
            for (left, right) in rows {
                let padded = left.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                out += "  " + (right.isEmpty ? left : padded + right) + "\n"
            }
        }

        section("columns", air.mainColumns.count)
        if air.boundaryColumnCount > 0 { out += "  the first \(air.boundaryColumnCount) are boundary columns\n" }
        table(air.mainColumns.map { ($0.name, $0.doc) })
        section("public inputs", air.publicInputs.count)
        table(air.publicInputs.map { ($0.name, $0.doc) })
        section("periodic columns", air.periodicColumns.count)
        table(
            air.periodicColumns.map {
                // Tables of thousands of values (the byte table) are summarised; `--json` lists every value.
                (
                    $0.name,
                    "period \($0.values.count): " + $0.values.prefix(16).map(\.description).joined(separator: ", ")
                        + ($0.values.count > 16 ? ", … (\($0.values.count - 16) more)" : "")
                )
            })
        section("constraints", air.constraints.count)
        let indexWidth = String(max(0, air.constraints.count - 1)).count
        for c in air.constraints {
            let index = String(repeating: " ", count: indexWidth - String(c.index).count) + String(c.index)
            out +=
                "  \(index) \(c.name) \(c.domain.circuitSyntax): \(c.expression.formula(names: names)) "
                + "(degree \(c.expression.degree))\n"
        }
        section("buses", air.buses.count)
        for bus in air.buses {
            out += "  \(bus.name)\(bus.isGlobal ? " (global)" : "")\n"
            for e in bus.entries {
                let values = e.values.map { $0.formula(names: names) }.joined(separator: ", ")
                out += "    entry \(e.multiplicity.formula(names: names)) : [\(values)]\n"
            }
        }
        section("auxiliary columns", air.auxColumns.count)
        table(air.auxColumns.map { ($0.name, $0.doc) })
        if !air.buses.isEmpty {
            out += "inverse degree \(air.inverseDegree): up to \(air.inverseDegree - 1) bus entries to an inverse column\n"
        }
        out += "max degree \(air.maxDegree)\n"
        if air.packing > 1 {
            let committed = air.committedBoundaryCount + air.committedMainCount + air.committedAuxCount
            out += "pack \(air.packing): \(air.mainColumns.count + air.auxColumns.count) columns committed as "
                + "\(committed) polynomials\n"
            if let short = air.shortTablePacking {
                let table = air.forTable(logRows: short.maxLogRows)
                let count = table.committedBoundaryCount + table.committedMainCount + table.committedAuxCount
                out += "pack \(short.columns) up to 2^\(short.maxLogRows) rows: \(count) polynomials\n"
            }
        }
        out += "circuit id \(id)\n"
        return out
    }

    // MARK: - JSON

    static func json(_ air: AIR, id: String) -> String {
        let names = air.names
        func string(_ s: String) -> String { CLIFiles.quoted(s) }
        func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
        func object(_ fields: [(String, String)]) -> String {
            "{" + fields.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        func columns(_ list: [Column]) -> String {
            array(list.map { object([("name", string($0.name)), ("doc", string($0.doc))]) })
        }
        let periodic = air.periodicColumns.map {
            object([("name", string($0.name)), ("values", array($0.values.map { string($0.description) }))])
        }
        let constraints = air.constraints.map { c in
            object([
                ("index", "\(c.index)"), ("name", string(c.name)), ("domain", string(c.domain.circuitSyntax)),
                ("formula", string(c.expression.formula(names: names))), ("degree", "\(c.expression.degree)"),
            ])
        }
        let buses = air.buses.map { bus in
            object([
                ("name", string(bus.name)),
                ("global", bus.isGlobal ? "true" : "false"),
                (
                    "entries",
                    array(
                        bus.entries.map { e in
                            object([
                                ("multiplicity", string(e.multiplicity.formula(names: names))),
                                ("values", array(e.values.map { string($0.formula(names: names)) })),
                            ])
                        })
                ),
            ])
        }
        return object([
            ("name", string(air.name)), ("columns", columns(air.mainColumns)),
            ("boundary_columns", "\(air.boundaryColumnCount)"),
            ("public_inputs", columns(air.publicInputs)), ("periodic_columns", array(periodic)),
            ("constraints", array(constraints)), ("buses", array(buses)),
            ("auxiliary_columns", columns(air.auxColumns)), ("inverse_degree", "\(air.inverseDegree)"),
            ("pack", "\(air.packing)"),
            (
                "short_tables",
                air.shortTablePacking.map {
                    object([("pack", "\($0.columns)"), ("max_log_rows", "\($0.maxLogRows)")])
                } ?? "null"
            ),
            ("max_degree", "\(air.maxDegree)"),
            ("circuit_id", string(id)),
        ]) + "\n"
    }
}
