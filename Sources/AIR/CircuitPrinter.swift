import Field

/// Writing an AIR as circuit file text: the inverse of ``AIR/init(circuitSource:fileName:)``.
///
/// The text is plain and complete rather than pleasant: no macros, one constraint per line, every parenthesis the
/// tree needs. It is the first draft of a circuit file for a circuit defined in Swift, to be grouped and named by
/// hand; whatever is tidied, loading the file must still give the same canonical description, which a test checks.
extension AIR {
    /// Circuit file text that loads back to an AIR with the same canonical description, the same doc lines and the
    /// same constraint names.
    ///
    /// Only what a file can state is written: the buses' auxiliary columns and constraints are left for the loader
    /// to generate again, and a periodic column whose values are a ``CircuitBuiltinTable`` is written as
    /// `builtin TABLE`. The names must be circuit file names (letters, digits and `_`, not starting with a digit); a
    /// column or public input without a doc line gets the placeholder doc `undocumented`, since the format requires
    /// one.
    public var circuitSource: String {
        let names = self.names
        var lines = ["air \(name)"]
        if inverseDegree != AIR.defaultInverseDegree { lines.append("inverse degree \(inverseDegree)") }
        if let pack = packStatement { lines.append(pack) }
        func declarations(_ keyword: String, _ items: [Column]) {
            guard !items.isEmpty else { return }
            lines.append("")
            let width = items.map(\.name.count).max() ?? 0
            for item in items {
                // A doc line ends at the line break; one holding several lines is joined into one.
                let oneLine = item.doc.split(whereSeparator: \.isNewline).joined(separator: " ")
                let doc = oneLine.isEmpty ? "undocumented" : oneLine
                lines.append(padded("\(keyword) \(item.name)", keyword.count + 1 + width) + "  # \(doc)")
            }
        }
        declarations("boundary column", Array(mainColumns.prefix(boundaryColumnCount)))
        declarations("column", Array(mainColumns.dropFirst(boundaryColumnCount)))
        declarations("public", publicInputs)

        if !periodicColumns.isEmpty { lines.append("") }
        for p in periodicColumns {
            if let table = CircuitBuiltinTable.allCases.first(where: { $0.values == p.values }) {
                lines.append("periodic \(p.name) = builtin \(table.name)")
                continue
            }
            let values = p.values.map(\.circuitValueSyntax)
            if values.count <= 8 {
                lines.append("periodic \(p.name) = [" + values.joined(separator: ", ") + "]")
                continue
            }
            lines.append("periodic \(p.name) = [")
            for start in stride(from: 0, to: values.count, by: 8) {
                let end = min(start + 8, values.count)
                lines.append("    " + values[start..<end].joined(separator: ", ") + (end < values.count ? "," : ""))
            }
            lines.append("]")
        }

        // The loader generates one constraint per inverse column and three for the running sum after the written ones.
        let generated = auxColumnEntries.reduce(0) { $0 + ($1 == nil ? 3 : 1) }
        let written = constraints.prefix(constraints.count - generated)
        if !written.isEmpty { lines.append("") }
        for c in written {
            lines.append("constraint \(c.name) \(c.domain.circuitSyntax): \(c.expression.circuitSyntax(names: names))")
        }

        for bus in buses {
            lines.append("")
            lines.append("\(bus.isGlobal ? "global bus" : bus.isShared ? "shared bus" : "bus") \(bus.name)")
            for e in bus.entries {
                let values = e.values.map { $0.circuitSyntax(names: names) }.joined(separator: ", ")
                lines.append("    entry \(e.multiplicity.circuitSyntax(names: names)) : [\(values)]")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Expression {
    /// The expression in circuit file syntax, parenthesised so that the loader builds exactly this tree again.
    ///
    /// Constants are decimal up to 20 digits and hexadecimal above; next-row columns take `'`. Auxiliary columns,
    /// challenges and bus sums have no circuit file syntax: they print as their names but do not load.
    public func circuitSyntax(names: ExpressionNames) -> String {
        render(names, parentPrecedence: 0)
    }

    private func render(_ names: ExpressionNames, parentPrecedence: Int) -> String {
        let text: String
        switch self {
        case .constant(let c):
            let decimal = c.decimalString
            text = decimal.count <= 20 ? decimal : c.hexString
        case .main(let i, let r): text = names.main(i) + (r == .next ? "'" : "")
        case .aux(let i, let r): text = names.aux(i) + (r == .next ? "'" : "")
        case .periodic(let i): text = names.periodic(i)
        case .publicInput(let i): text = names.publicInput(i)
        case .challenge(let i): text = "challenge\(i)"
        case .busPublicSum(let i): text = "public_sum_\(names.bus(i))"
        // Left operands may share the operator's precedence (the grammar is left-associative); right operands must
        // bind tighter, or `a - (b - c)` would load as `(a - b) - c`.
        case .add(let a, let b): text = a.render(names, parentPrecedence: 1) + " + " + b.rightOperand(names, 2)
        case .sub(let a, let b): text = a.render(names, parentPrecedence: 1) + " - " + b.rightOperand(names, 2)
        case .mul(let a, let b): text = a.render(names, parentPrecedence: 2) + " * " + b.rightOperand(names, 3)
        case .neg(let a): text = "-" + a.render(names, parentPrecedence: 3)
        // The base of `^` is a primary: `x^2^3` and `-x^2` do not mean a power of a power or of a negation.
        case .power(let a, let k): text = a.render(names, parentPrecedence: 5) + "^\(k)"
        }
        return precedence < parentPrecedence ? "(\(text))" : text
    }

    /// A right operand, with a negation in parentheses for the reader: `a - (-b)` rather than the equal `a - -b`.
    private func rightOperand(_ names: ExpressionNames, _ precedence: Int) -> String {
        if case .neg = self { return "(" + render(names, parentPrecedence: 0) + ")" }
        return render(names, parentPrecedence: precedence)
    }
}

extension Fp {
    /// A periodic value as a file writes it: decimal, or `-c` for p − c when that is shorter.
    fileprivate var circuitValueSyntax: String {
        let negated = (-self).decimalString
        return negated.count < decimalString.count ? "-" + negated : decimalString
    }
}

private func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
