import Field

/// Builds an AIR one named piece at a time, handing back expressions for the columns it declares, so a large
/// circuit reads as named columns and formulas rather than indices.
public struct AIRBuilder {
    public let name: String
    /// The largest degree of an inverse column's constraint (``AIR/inverseDegree``).
    public var inverseDegree: Int
    private var mainColumns: [Column] = []
    private var boundaryColumnCount = 0
    private var publicInputs: [PublicInput] = []
    private var periodicColumns: [PeriodicColumn] = []
    private var constraints: [Constraint] = []
    private var buses: [LogUpBus] = []
    private var busIndex: [String: Int] = [:]

    /// Columns committed as one polynomial (``AIR/packing``).
    public var packing: Int = 1
    /// The short tables' packing (``AIR/shortTablePacking``).
    public var shortTablePacking: AIR.ShortTablePacking?

    public init(name: String, inverseDegree: Int = AIR.defaultInverseDegree) {
        self.name = name
        self.inverseDegree = inverseDegree
    }

    /// Declares a main column; returns its value on the current row.
    public mutating func column(_ name: String, _ doc: String) -> Expression {
        mainColumns.append(Column(name, doc: doc))
        return .main(mainColumns.count - 1, .current)
    }

    /// Declares a boundary column (committed before the global buses' challenges); all come before the others.
    public mutating func boundaryColumn(_ name: String, _ doc: String) -> Expression {
        precondition(boundaryColumnCount == mainColumns.count, "boundary columns come before the others")
        boundaryColumnCount += 1
        return column(name, doc)
    }

    /// Declares a public input.
    public mutating func publicInput(_ name: String, _ doc: String) -> Expression {
        publicInputs.append(PublicInput(name, doc: doc))
        return .publicInput(publicInputs.count - 1)
    }

    /// Declares a periodic column.
    public mutating func periodic(_ name: String, values: [Fp]) -> Expression {
        periodicColumns.append(PeriodicColumn(name, values: values))
        return .periodic(periodicColumns.count - 1)
    }

    /// Adds a constraint.
    public mutating func constrain(_ name: String, _ domain: ConstraintDomain, _ expression: Expression) {
        constraints.append(Constraint(name: name, domain: domain, expression))
    }

    /// Adds an entry to the named bus (created on first use) and returns the bus's index.
    @discardableResult
    public mutating func busEntry(
        _ bus: String, global: Bool = false, shared: Bool = false, multiplicity: Expression, _ values: [Expression]
    ) -> Int {
        let b: Int
        if let known = busIndex[bus] {
            b = known
        } else {
            buses.append(LogUpBus(bus, entries: [], isGlobal: global, isShared: shared))
            b = buses.count - 1
            busIndex[bus] = b
        }
        buses[b].entries.append(LogUpEntry(multiplicity: multiplicity, values: values))
        return b
    }

    /// The finished, validated AIR.
    public func build() throws(AIRError) -> AIR {
        try AIR(
            name: name, mainColumns: mainColumns, boundaryColumnCount: boundaryColumnCount,
            publicInputs: publicInputs, periodicColumns: periodicColumns, constraints: constraints, buses: buses,
            inverseDegree: inverseDegree, packing: packing, shortTablePacking: shortTablePacking)
    }
}

extension Expression {
    /// The same expression on the next row: every current-row column reference moves one row down.
    public var next: Expression {
        switch self {
        case .main(let i, _): return .main(i, .next)
        case .aux(let i, _): return .aux(i, .next)
        case .add(let a, let b): return .add(a.next, b.next)
        case .sub(let a, let b): return .sub(a.next, b.next)
        case .mul(let a, let b): return .mul(a.next, b.next)
        case .neg(let a): return .neg(a.next)
        case .power(let a, let k): return .power(a.next, k)
        default: return self
        }
    }
}

extension Expression: ExpressibleByIntegerLiteral {
    /// A constant written as an integer literal, e.g. `x - 1` or `(1 << 32) * carry`.
    public init(integerLiteral value: UInt64) { self = .constant(Fp(value)) }
}
