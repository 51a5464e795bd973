import Field

/// A named trace column with one line saying what it holds.
public struct Column: Hashable, Sendable {
    public var name: String
    public var doc: String

    public init(_ name: String, doc: String = "") {
        self.name = name
        self.doc = doc
    }
}

/// A named public input: a field element of the statement, known to prover and verifier.
public typealias PublicInput = Column

/// The rows on which a constraint must vanish. The divisor of its quotient is the polynomial vanishing on them.
public enum ConstraintDomain: Hashable, Sendable {
    /// Every row of the trace: divisor X^n − 1.
    case everyRow
    /// Every row but the last (constraints that read the next row): divisor (X^n − 1)/(X − ω^(n−1)).
    case transition
    /// Row 0 only: divisor X − 1.
    case firstRow
    /// Row n − 1 only: divisor X − ω^(n−1).
    case lastRow
    /// One fixed row, counted from 0: divisor X − ω^row.
    case row(Int)
}

/// One constraint: a stable index, a name, the rows it covers and its formula, all in one place.
public struct Constraint: Hashable, Sendable {
    /// Position in the AIR's constraint list; failures and the circuit digest refer to it.
    public var index: Int
    public var name: String
    public var domain: ConstraintDomain
    public var expression: Expression

    public init(index: Int = -1, name: String, domain: ConstraintDomain, _ expression: Expression) {
        self.index = index
        self.name = name
        self.domain = domain
        self.expression = expression
    }
}

/// A publicly known column repeating down the trace with a power-of-two period (round constants, selectors).
public struct PeriodicColumn: Hashable, Sendable {
    public var name: String
    public var values: [Fp]

    public init(_ name: String, values: [Fp]) {
        self.name = name
        self.values = values
    }
}

/// One term of a LogUp bus: on every row it adds multiplicity / (α − fingerprint(values)) to the bus's running
/// sum, where fingerprint(v) = v₀ + β·v₁ + β²·v₂ + ….
///
/// A lookup is two kinds of entry on one bus: the looked-up values with multiplicity 1, and the table with
/// multiplicity −m (how many times each table row is used). The bus balances, its total is zero, exactly when every
/// looked-up tuple is in the table, except with probability about (rows·entries)/p over the choice of α.
public struct LogUpEntry: Hashable, Sendable {
    public var multiplicity: Expression
    public var values: [Expression]

    public init(multiplicity: Expression, values: [Expression]) {
        self.multiplicity = multiplicity
        self.values = values
    }
}

/// A LogUp argument: entries whose fractions must sum to zero over the whole trace.
///
/// A global bus spans several proofs (the segments of one execution): its challenges come from outside the proof,
/// drawn after every proof's boundary columns were committed, and its entries read only boundary columns. Each
/// proof states its own share of the bus (the sum of its fractions) in place of the verifier's public sum, and
/// whoever joins the proofs checks that the shares and its own entries sum to zero.
///
/// A shared bus joins tables proven together in one batch proof (a segment and its lookup table): the shared
/// buses of one name in the batch's tables are one bus, with one pair of challenges, each table states its share
/// of it, and the verifier checks that the shares cancel. A bus that is not declared shared is the table's own,
/// whatever other tables of a batch call theirs. Proven alone, a shared bus must balance within its table.
public struct LogUpBus: Hashable, Sendable {
    public var name: String
    public var entries: [LogUpEntry]
    public var isGlobal: Bool
    public var isShared: Bool

    public init(_ name: String, entries: [LogUpEntry], isGlobal: Bool = false, isShared: Bool = false) {
        self.name = name
        self.entries = entries
        self.isGlobal = isGlobal
        self.isShared = isShared
    }
}

/// What is wrong with an AIR definition. The message names the offending item so the circuit author can fix it.
public enum AIRError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): return "invalid AIR: \(why)"
        }
    }
}

/// An algebraic intermediate representation: the columns of an execution trace and the polynomial constraints that
/// hold exactly when the trace is a valid execution.
///
/// How to define one:
/// 1. Name the main columns, one doc line each: they are what the prover fills in from the computation.
/// 2. Name the public inputs: the statement the proof is about.
/// 3. Add periodic columns for publicly known repeating values (round constants, selectors).
/// 4. Write constraints as `Expression`s over the current and next row, each with a domain: `.transition` for
///    row-to-row rules, `.everyRow` for rules within a row, `.firstRow`/`.lastRow`/`.row(i)` for boundaries.
/// 5. Express lookups and permutations as `LogUpBus`es. The AIR adds their auxiliary columns (an inverse column per
///    pair of consecutive entries, or per entry where a pair would exceed degree 3, and one running sum for all
///    buses), their challenges (α, β per bus) and the constraints binding them.
/// 6. Build the `AIR`: it checks that every index is in range, every main column is constrained and every
///    constraint has positive degree, and numbers the constraints.
public struct AIR: Sendable {
    public let name: String
    public let mainColumns: [Column]
    /// The first this many main columns are the boundary columns: committed on their own, before any global bus's
    /// challenges are drawn, so that every value a global bus carries is fixed first. 0 for an AIR of one proof.
    public let boundaryColumnCount: Int
    public let publicInputs: [PublicInput]
    public let periodicColumns: [PeriodicColumn]
    public let buses: [LogUpBus]
    /// The auxiliary columns the buses need, in order: the inverse columns (entries in bus order, two to a column
    /// where the degree allows), then one running sum.
    public let auxColumns: [Column]
    /// For each auxiliary column: the (bus, entry) pairs whose fractions it holds (one or two); nil for the running
    /// sum.
    public let auxColumnEntries: [[(bus: Int, entry: Int)]?]
    /// Every constraint, the author's first and then those generated for the buses; `constraints[i].index == i`.
    public let constraints: [Constraint]
    /// The main columns some constraint reads on the next row, increasing: only these are opened at z·ω.
    public let nextRowMainColumns: [Int]
    /// The auxiliary columns some constraint reads on the next row, increasing.
    public let nextRowAuxColumns: [Int]
    /// Derived values (canonical description, periodic coefficients, compiled constraints, circuit digest),
    /// computed on first use.
    let cache: AIRCache

    /// The largest degree a paired inverse constraint may have; beyond it each entry gets its own column.
    public static let pairedInverseDegree = 3

    /// Challenges drawn after the main trace is committed: α and β for each bus. A global bus's two come from
    /// outside the proof instead (``globalBuses``).
    public var challengeCount: Int { 2 * buses.count }

    /// The global buses' indices, increasing.
    public var globalBuses: [Int] { buses.indices.filter { buses[$0].isGlobal } }

    /// The largest constraint degree, in units of the trace length.
    public var maxDegree: Int { constraints.map(\.expression.degree).max() ?? 0 }

    /// Validates a definition and completes it with the buses' auxiliary columns and constraints.
    public init(
        name: String, mainColumns: [Column], boundaryColumnCount: Int = 0, publicInputs: [PublicInput] = [],
        periodicColumns: [PeriodicColumn] = [], constraints: [Constraint], buses: [LogUpBus] = []
    ) throws(AIRError) {
        self.name = name
        self.cache = AIRCache()
        self.mainColumns = mainColumns
        self.boundaryColumnCount = boundaryColumnCount
        self.publicInputs = publicInputs
        self.periodicColumns = periodicColumns
        self.buses = buses

        var aux: [Column] = []
        var members: [[(bus: Int, entry: Int)]?] = []
        var all = constraints
        func fingerprint(_ b: Int, _ entry: LogUpEntry) -> Expression {
            let beta = Expression.challenge(2 * b + 1)
            var f = entry.values.last ?? .constant(.zero)
            for v in entry.values.dropLast().reversed() { f = v + beta * f }
            return Expression.challenge(2 * b) - f
        }
        func entryName(_ b: Int, _ e: Int) -> String { "\(buses[b].name).inverse\(e)" }
        // Every entry of every bus in order. Two consecutive entries share one inverse column,
        // h = m₁/d₁ + m₂/d₂, checked as h·d₁·d₂ = m₁·d₂ + m₂·d₁, when that stays within degree 3 (also across
        // buses: one running sum adds every fraction); otherwise an entry has a column of its own, h·d = m.
        let entries = buses.indices.flatMap { b in buses[b].entries.indices.map { (bus: b, entry: $0) } }
        var k = 0
        while k < entries.count {
            let h = Expression.aux(aux.count, .current)
            let (b1, e1) = entries[k]
            let d1 = fingerprint(b1, buses[b1].entries[e1])
            let m1 = buses[b1].entries[e1].multiplicity
            if k + 1 < entries.count {
                let (b2, e2) = entries[k + 1]
                let d2 = fingerprint(b2, buses[b2].entries[e2])
                let m2 = buses[b2].entries[e2].multiplicity
                let paired = h * d1 * d2 - m1 * d2 - m2 * d1
                if paired.degree <= AIR.pairedInverseDegree {
                    let column =
                        b1 == b2 ? "\(buses[b1].name).inverses\(e1)_\(e2)" : "\(entryName(b1, e1))+\(entryName(b2, e2))"
                    aux.append(
                        Column(column, doc: "sum of the fractions of \(entryName(b1, e1)) and \(entryName(b2, e2))"))
                    members.append([entries[k], entries[k + 1]])
                    all.append(Constraint(name: column, domain: .everyRow, paired))
                    k += 2
                    continue
                }
            }
            aux.append(Column(entryName(b1, e1), doc: "multiplicity / (α − fingerprint) of \(entryName(b1, e1))"))
            members.append([entries[k]])
            all.append(Constraint(name: entryName(b1, e1), domain: .everyRow, h * d1 - m1))
            k += 1
        }
        if !buses.isEmpty {
            // One running sum of every bus's fractions. Each bus has challenges of its own, so the sum vanishes
            // identically only when every bus balances on its own.
            let inverseColumns = 0..<aux.count
            let sum = aux.count
            aux.append(Column("buses.sum", doc: "running sum of every bus's fractions up to this row"))
            members.append(nil)
            func rowTotal(_ r: RowOffset) -> Expression {
                inverseColumns.dropFirst().reduce(Expression.aux(0, r)) { $0 + .aux($1, r) }
            }
            all.append(Constraint(name: "buses.sum_first", domain: .firstRow, .aux(sum, .current) - rowTotal(.current)))
            all.append(
                Constraint(
                    name: "buses.sum_step", domain: .transition,
                    .aux(sum, .next) - .aux(sum, .current) - rowTotal(.next)))
            // The trace's fractions and the verifier's public ones cancel: S_last + Σ public sums = 0. A global bus's
            // public sum is minus the proof's stated share, so its fractions must add up to exactly that share.
            let publicSums = buses.indices.dropFirst().reduce(Expression.busPublicSum(0)) { $0 + .busPublicSum($1) }
            all.append(Constraint(name: "buses.sum_balances", domain: .lastRow, .aux(sum, .current) + publicSums))
        }
        for i in all.indices { all[i].index = i }
        self.auxColumns = aux
        self.auxColumnEntries = members
        self.constraints = all
        var nextMain = Set<Int>()
        var nextAux = Set<Int>()
        for c in all {
            c.expression.forEachNode { node in
                if case .main(let i, .next) = node { nextMain.insert(i) }
                if case .aux(let i, .next) = node { nextAux.insert(i) }
            }
        }
        self.nextRowMainColumns = nextMain.sorted()
        self.nextRowAuxColumns = nextAux.sorted()
        try validate()
    }

    /// Names for formulas.
    public var names: ExpressionNames {
        ExpressionNames(
            main: mainColumns.map(\.name), aux: auxColumns.map(\.name), periodic: periodicColumns.map(\.name),
            publicInputs: publicInputs.map(\.name), buses: buses.map(\.name))
    }

    private func validate() throws(AIRError) {
        guard !mainColumns.isEmpty else { throw .invalid("no main columns") }
        guard !constraints.isEmpty else { throw .invalid("no constraints") }
        var seen = Set<String>()
        for name in mainColumns.map(\.name) + auxColumns.map(\.name) + periodicColumns.map(\.name)
            + publicInputs.map(\.name)
        {
            guard !name.isEmpty else { throw .invalid("a column or public input has an empty name") }
            guard seen.insert(name).inserted else { throw .invalid("the name '\(name)' is used twice") }
        }
        var constraintNames = Set<String>()
        for p in periodicColumns {
            let n = p.values.count
            guard n > 0 && n & (n - 1) == 0 else {
                throw .invalid("periodic column '\(p.name)' has \(n) values; the period must be a power of two")
            }
        }
        for bus in buses where bus.entries.isEmpty { throw .invalid("bus '\(bus.name)' has no entries") }
        for bus in buses where bus.isGlobal && bus.isShared {
            throw .invalid("bus '\(bus.name)' is both global and shared; a bus joins proofs or tables, not both")
        }
        guard (0...mainColumns.count).contains(boundaryColumnCount) else {
            throw .invalid("\(boundaryColumnCount) boundary columns; the AIR has \(mainColumns.count) main columns")
        }
        guard boundaryColumnCount < mainColumns.count else {
            throw .invalid("every main column is a boundary column; at least one must be committed after them")
        }
        for bus in buses where bus.isGlobal {
            guard boundaryColumnCount > 0 else {
                throw .invalid("global bus '\(bus.name)' needs boundary columns to read; the AIR has none")
            }
            // Everything a global bus carries is fixed before its challenges: boundary columns, public inputs,
            // constants; not the main columns committed later, not periodic columns (kept simple), not the next row.
            for entry in bus.entries {
                for e in [entry.multiplicity] + entry.values {
                    var problem: String?
                    e.forEachNode { node in
                        switch node {
                        case .main(let i, let r):
                            if i >= boundaryColumnCount {
                                problem = i < mainColumns.count ? "main column '\(mainColumns[i].name)'" : "column \(i)"
                            }
                            if r == .next { problem = "the next row" }
                        case .aux, .periodic, .challenge, .busPublicSum: problem = "\(node.canonical)"
                        default: break
                        }
                    }
                    if let problem {
                        throw .invalid(
                            "global bus '\(bus.name)' reads \(problem); a global bus reads only boundary columns, "
                                + "public inputs and constants")
                    }
                }
            }
        }
        var used = Set<Int>()
        for c in constraints {
            guard constraintNames.insert(c.name).inserted else {
                throw .invalid("two constraints are named '\(c.name)'")
            }
            guard c.expression.degree > 0 else {
                throw .invalid("constraint '\(c.name)' reads no column, so it is either always or never satisfied")
            }
            if case .row(let r) = c.domain, r < 0 { throw .invalid("constraint '\(c.name)' is on negative row \(r)") }
            if c.expression.readsNextRow && c.domain != .transition {
                throw .invalid("constraint '\(c.name)' reads the next row, so its domain must be transition")
            }
            var problem: String?
            c.expression.forEachNode { node in
                switch node {
                case .main(let i, _):
                    if i < 0 || i >= mainColumns.count { problem = "main column \(i)" } else { used.insert(i) }
                case .aux(let i, _): if i < 0 || i >= auxColumns.count { problem = "auxiliary column \(i)" }
                case .periodic(let i): if i < 0 || i >= periodicColumns.count { problem = "periodic column \(i)" }
                case .publicInput(let i): if i < 0 || i >= publicInputs.count { problem = "public input \(i)" }
                case .challenge(let i): if i < 0 || i >= challengeCount { problem = "challenge \(i)" }
                case .busPublicSum(let i): if i < 0 || i >= buses.count { problem = "bus \(i)" }
                case .power(_, let k): if k < 1 { problem = "exponent \(k)" }
                default: break
                }
            }
            if let problem { throw .invalid("constraint '\(c.name)' refers to \(problem), which does not exist") }
        }
        if let free = mainColumns.indices.first(where: { !used.contains($0) }) {
            throw .invalid(
                "main column '\(mainColumns[free].name)' appears in no constraint, so a prover could put anything in it"
            )
        }
    }
}
