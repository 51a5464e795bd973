import Field

extension AIR {
    /// A canonical text form of everything that gives the AIR its meaning: names, columns, public inputs, periodic
    /// values, constraints with their domains and formulas, buses. Doc lines are left out, so rewording a comment
    /// does not change the circuit id; any change to what is proven does.
    public var canonicalDescription: String {
        var lines = ["air \(name)"]
        lines += mainColumns.map { "main \($0.name)" }
        lines += auxColumns.map { "aux \($0.name)" }
        lines += publicInputs.map { "public \($0.name)" }
        lines += periodicColumns.map { p in "periodic \(p.name) " + p.values.map(\.hexString).joined(separator: " ") }
        for bus in buses {
            lines.append("bus \(bus.name) \(bus.entries.count)")
            for e in bus.entries {
                lines.append("entry \(e.multiplicity.canonical) " + e.values.map(\.canonical).joined(separator: " "))
            }
        }
        for c in constraints { lines.append("constraint \(c.index) \(c.name) \(c.domain.canonical) \(c.expression.canonical)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ConstraintDomain {
    var canonical: String {
        switch self {
        case .everyRow: return "every_row"
        case .transition: return "transition"
        case .firstRow: return "first_row"
        case .lastRow: return "last_row"
        case .row(let r): return "row:\(r)"
        }
    }
}

extension Expression {
    /// Prefix notation with every leaf spelled out, e.g. `(sub (main 0 next) (main 1 cur))`.
    public var canonical: String {
        switch self {
        case .constant(let c): return c.hexString
        case .main(let i, let r): return "(main \(i) \(r == .next ? "next" : "cur"))"
        case .aux(let i, let r): return "(aux \(i) \(r == .next ? "next" : "cur"))"
        case .periodic(let i): return "(periodic \(i))"
        case .publicInput(let i): return "(public \(i))"
        case .challenge(let i): return "(challenge \(i))"
        case .busPublicSum(let i): return "(bus_public_sum \(i))"
        case .add(let a, let b): return "(add \(a.canonical) \(b.canonical))"
        case .sub(let a, let b): return "(sub \(a.canonical) \(b.canonical))"
        case .mul(let a, let b): return "(mul \(a.canonical) \(b.canonical))"
        case .neg(let a): return "(neg \(a.canonical))"
        case .power(let a, let k): return "(pow \(a.canonical) \(k))"
        }
    }
}
