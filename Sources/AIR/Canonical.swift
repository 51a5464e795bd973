import Field
import Synchronization

extension AIR {
    /// A canonical text form of everything that gives the AIR its meaning: names, columns, public inputs, periodic
    /// values, constraints with their domains and formulas, buses. Doc lines are left out, so rewording a comment
    /// does not change the circuit id; any change to what is proven does.
    public var canonicalDescription: String { cache.description { computeCanonicalDescription() } }

    /// The coefficients of periodic column `index` as a polynomial over its period's subgroup, computed once per
    /// AIR: large tables (the byte table has 2^16 values) would otherwise cost every verification an NTT.
    public func periodicCoefficients(_ index: Int) -> [Fp] {
        cache.periodic(index) {
            let values = periodicColumns[index].values
            return NTT.interpolate(evaluations: values, on: Domain(logSize: values.count.trailingZeroBitCount))
        }
    }

    /// The AIR's constraints compiled for evaluation at a point, compiled once per AIR.
    public var constraintProgram: ConstraintProgram { derived("constraint program") { ConstraintProgram(self) } }

    /// A value that depends on the AIR alone (its circuit digest, say), computed by `make` on first use and kept
    /// under `key` for this AIR and its copies.
    public func derived<T: Sendable>(_ key: String, _ make: () -> T) -> T { cache.derived(key, make) }

    private func computeCanonicalDescription() -> String {
        var lines = ["air \(name)"]
        lines += mainColumns.map { "main \($0.name)" }
        // Absent for an AIR of one proof, so adding the notion changed no existing circuit id.
        if boundaryColumnCount > 0 { lines.append("boundary \(boundaryColumnCount)") }
        // Likewise absent for one row a cycle: how a proof commits the columns is part of the circuit.
        if let pack = packStatement { lines.append(pack) }
        lines += auxColumns.map { "aux \($0.name)" }
        lines += publicInputs.map { "public \($0.name)" }
        lines += periodicColumns.map { p in "periodic \(p.name) " + p.values.map(\.canonicalHex).joined(separator: " ")
        }
        for bus in buses {
            lines.append("\(bus.isGlobal ? "global bus" : bus.isShared ? "shared bus" : "bus") \(bus.name) \(bus.entries.count)")
            for e in bus.entries {
                lines.append("entry \(e.multiplicity.canonical) " + e.values.map(\.canonical).joined(separator: " "))
            }
        }
        for c in constraints {
            lines.append("constraint \(c.index) \(c.name) \(c.domain.canonical) \(c.expression.canonical)")
        }
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
        case .constant(let c): return c.canonicalHex
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

extension Fp {
    /// `hexString`, with a fast path for the small values tables are made of.
    var canonicalHex: String {
        let v = canonicalLimbs
        if v.1 == 0 && v.2 == 0 && v.3 == 0 { return "0x" + String(v.0, radix: 16) }
        return hexString
    }
}

/// Values derived from an AIR once and shared by its copies.
final class AIRCache: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var canonical: String?
    private var periodicCoefficients: [Int: [Fp]] = [:]
    private var derived: [String: any Sendable] = [:]

    func description(_ make: () -> String) -> String {
        lock.withLock { _ in
            if let canonical { return canonical }
            let made = make()
            canonical = made
            return made
        }
    }

    func derived<T: Sendable>(_ key: String, _ make: () -> T) -> T {
        if let known = lock.withLock({ _ in derived[key] }) as? T { return known }
        let made = make()
        lock.withLock { _ in derived[key] = made }
        return made
    }

    func periodic(_ index: Int, _ make: () -> [Fp]) -> [Fp] {
        if let known = lock.withLock({ _ in periodicCoefficients[index] }) { return known }
        let made = make()
        lock.withLock { _ in periodicCoefficients[index] = made }
        return made
    }
}
