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
/// 5. Express lookups and permutations as `LogUpBus`es. The AIR adds their auxiliary columns (inverse columns each
///    holding a run of consecutive entries, as many as keep its constraint within ``inverseDegree``: two at the
///    default degree 3, or one where a pair would exceed it; and one running sum for all buses), their challenges
///    (α, β per bus) and the constraints binding them.
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
    /// The auxiliary columns the buses need, in order: the inverse columns (entries in bus order, as many
    /// consecutive entries to a column as ``inverseDegree`` allows), then one running sum.
    public let auxColumns: [Column]
    /// For each auxiliary column: the (bus, entry) pairs whose fractions it holds (one or more, consecutive in bus
    /// order); nil for the running sum.
    public let auxColumnEntries: [[(bus: Int, entry: Int)]?]
    /// The largest degree an inverse column's constraint may have. Consecutive entries share a column h, checked
    /// as h·d₁·…·d_k = Σᵢ mᵢ·Π_{j≠i} d_j, while that stays within this degree, up to inverseDegree − 1 entries to a
    /// column. The default, 3, pairs entries whose fingerprints and multiplicities have degree 1; 4 groups three of
    /// them: fewer committed columns, for one more composition segment when the other constraints have degree 3.
    public let inverseDegree: Int
    /// Every constraint, the author's first and then those generated for the buses; `constraints[i].index == i`.
    public let constraints: [Constraint]
    /// The main columns some constraint reads on the next row, increasing: only these are opened at z·ω.
    public let nextRowMainColumns: [Int]
    /// The auxiliary columns some constraint reads on the next row, increasing.
    public let nextRowAuxColumns: [Int]
    /// How many columns a proof commits as one polynomial: 1, or k for a circuit with `pack k`, whose proofs commit
    /// each run of k columns t_0 … t_(k−1) as P(X) = Σ_j X^j·t_j(X^k), of k times the degree, on a domain k times
    /// larger (docs/prover.md, "Packed columns"). For a table of a given height it is ``packing(forLogRows:)``, as
    /// ``forTable(logRows:)`` sets it.
    public internal(set) var packing: Int
    /// The packing the circuit declares (`pack k`), whatever a table's height.
    public let declaredPacking: Int
    /// The packing of the circuit's short tables, when it declares one (`pack k, K up to 2^L rows`).
    public let shortTablePacking: ShortTablePacking?

    /// `pack k, K up to 2^L rows`: a table of at most 2^L rows packs K columns to a polynomial instead of k.
    ///
    /// A short table's committed domain is then K/k times taller, still no taller than the tallest table beside it
    /// when 2^L·K is at most that table's rows, so the proof's trees keep their height while a query opens k/K
    /// times as many of its values.
    public struct ShortTablePacking: Sendable, Equatable {
        /// K: columns to a committed polynomial, more than the circuit's packing, at most ``AIR/shortPackings``.
        public let columns: Int
        /// L: the tallest short table has 2^L rows.
        public let maxLogRows: Int

        public init(columns: Int, maxLogRows: Int) {
            self.columns = columns
            self.maxLogRows = maxLogRows
        }
    }
    /// Derived values (canonical description, periodic coefficients, compiled constraints, circuit digest),
    /// computed on first use.
    let cache: AIRCache

    /// The default ``inverseDegree``: two entries to an inverse column, within the degree 3 most circuits have.
    public static let defaultInverseDegree = 3
    /// The inverse degrees an AIR may ask for.
    public static let inverseDegrees = 2...6
    /// The packings an AIR may ask for: 1, 2, 4 or 8 columns to a committed polynomial.
    public static let packings = [1, 2, 4, 8]
    /// The packings an AIR may ask for its short tables (``ShortTablePacking``).
    public static let shortPackings = [4, 8, 16, 32]

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
        periodicColumns: [PeriodicColumn] = [], constraints: [Constraint], buses: [LogUpBus] = [],
        inverseDegree: Int = AIR.defaultInverseDegree, packing: Int = 1, shortTablePacking: ShortTablePacking? = nil
    ) throws(AIRError) {
        guard AIR.packings.contains(packing) else {
            throw .invalid("pack \(packing): a circuit packs 1, 2, 4 or 8 columns")
        }
        if let short = shortTablePacking {
            guard packing > 1, AIR.shortPackings.contains(short.columns), short.columns > packing,
                (1...26).contains(short.maxLogRows)
            else {
                throw .invalid(
                    "pack \(packing), \(short.columns) up to 2^\(short.maxLogRows) rows: short tables of a packing "
                        + "circuit pack more columns (4, 8, 16 or 32) below 2^1 to 2^26 rows")
            }
        }
        self.packing = packing
        self.declaredPacking = packing
        self.shortTablePacking = shortTablePacking
        guard AIR.inverseDegrees.contains(inverseDegree) else {
            throw .invalid(
                "inverse degree \(inverseDegree) is outside \(AIR.inverseDegrees.lowerBound)…"
                    + "\(AIR.inverseDegrees.upperBound)")
        }
        self.name = name
        self.inverseDegree = inverseDegree
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
        // Every entry of every bus in order, consecutive entries sharing an inverse column (also across buses: one
        // running sum adds every fraction). A column h holding the fractions of entries 1…k is checked as
        // h·d₁·…·d_k = Σᵢ mᵢ·Π_{j≠i} d_j; a group grows by the next entry while that check stays within
        // `inverseDegree`, and holds at most inverseDegree − 1 entries, the most a check of that degree holds when
        // every fingerprint reads a column. One entry alone, h·d = m, always has a column.
        let entries = buses.indices.flatMap { b in buses[b].entries.indices.map { (bus: b, entry: $0) } }
        let largestGroup = max(1, inverseDegree - 1)
        func groupConstraint(_ group: ArraySlice<(bus: Int, entry: Int)>, _ h: Expression) -> Expression {
            let d = group.map { fingerprint($0.bus, buses[$0.bus].entries[$0.entry]) }
            let m = group.map { buses[$0.bus].entries[$0.entry].multiplicity }
            var check = d.reduce(h) { $0 * $1 }
            for i in d.indices {
                check = check - d.indices.filter { $0 != i }.reduce(m[i]) { $0 * d[$1] }
            }
            return check
        }
        var k = 0
        while k < entries.count {
            let h = Expression.aux(aux.count, .current)
            var end = k + 1
            var check = groupConstraint(entries[k..<end], h)
            while end < entries.count && end - k < largestGroup {
                let longer = groupConstraint(entries[k...end], h)
                guard longer.degree <= inverseDegree else { break }
                check = longer
                end += 1
            }
            let group = entries[k..<end]
            let memberNames = group.map { entryName($0.bus, $0.entry) }
            let name: String
            let doc: String
            if group.count == 1 {
                name = memberNames[0]
                doc = "multiplicity / (α − fingerprint) of \(name)"
            } else {
                // Each bus's run of entries: NAME.inverseE for one, NAME.inversesE1_E2 for several; runs of
                // different buses are joined with +.
                var runs: [(bus: Int, first: Int, last: Int)] = []
                for member in group {
                    if let run = runs.last, run.bus == member.bus {
                        runs[runs.count - 1].last = member.entry
                    } else {
                        runs.append((member.bus, member.entry, member.entry))
                    }
                }
                name = runs.map { run in
                    run.first == run.last
                        ? entryName(run.bus, run.first) : "\(buses[run.bus].name).inverses\(run.first)_\(run.last)"
                }.joined(separator: "+")
                doc =
                    "sum of the fractions of \(memberNames.dropLast().joined(separator: ", ")) and \(memberNames.last!)"
            }
            aux.append(Column(name, doc: doc))
            members.append(Array(group))
            all.append(Constraint(name: name, domain: .everyRow, check))
            k = end
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
