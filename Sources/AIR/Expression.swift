import Field

/// Which row of the trace a column reference reads, relative to the row being constrained.
public enum RowOffset: Int, Hashable, Sendable, Codable {
    /// The row the constraint is evaluated on.
    case current = 0
    /// The row after it (ω·x on the evaluation domain).
    case next = 1
}

/// A polynomial expression over the values a constraint can see on one row.
///
/// Expressions are plain data, so the same definition feeds degree analysis, the prover's evaluation over the
/// extended domain, the verifier's out-of-domain check, the debug checker and the circuit digest.
public indirect enum Expression: Hashable, Sendable {
    /// A field constant.
    case constant(Fp)
    /// Main trace column `index`, on the current or next row.
    case main(Int, RowOffset)
    /// Auxiliary column `index` (built after the first challenges), on the current or next row.
    case aux(Int, RowOffset)
    /// Periodic column `index`: a fixed, publicly known sequence repeating down the trace.
    case periodic(Int)
    /// Public input `index`, part of the statement.
    case publicInput(Int)
    /// Random challenge `index`, drawn from the transcript after the main trace is committed.
    case challenge(Int)
    /// The public side of bus `index`: Σ m/(α − fingerprint) over the entries the verifier supplies itself
    /// (program words, initial memory, public output). Zero for a bus with no public entries.
    case busPublicSum(Int)
    case add(Expression, Expression)
    case sub(Expression, Expression)
    case mul(Expression, Expression)
    case neg(Expression)
    /// The expression raised to a small constant power.
    case power(Expression, Int)

    public static func + (a: Expression, b: Expression) -> Expression { .add(a, b) }
    public static func - (a: Expression, b: Expression) -> Expression { .sub(a, b) }
    public static func * (a: Expression, b: Expression) -> Expression { .mul(a, b) }
    public static prefix func - (a: Expression) -> Expression { .neg(a) }
    public static func + (a: Expression, b: Fp) -> Expression { .add(a, .constant(b)) }
    public static func - (a: Expression, b: Fp) -> Expression { .sub(a, .constant(b)) }
    public static func * (a: Fp, b: Expression) -> Expression { .mul(.constant(a), b) }

    /// The degree in units of the trace length: a column (or periodic column) counts 1, constants, public inputs and
    /// challenges count 0. A constraint of degree d has a polynomial of degree about d·n on the trace domain.
    public var degree: Int {
        switch self {
        case .constant, .publicInput, .challenge, .busPublicSum: return 0
        case .main, .aux, .periodic: return 1
        case .add(let a, let b), .sub(let a, let b): return max(a.degree, b.degree)
        case .mul(let a, let b): return a.degree + b.degree
        case .neg(let a): return a.degree
        case .power(let a, let k): return a.degree * k
        }
    }

    /// Whether any column reference reads the next row.
    public var readsNextRow: Bool {
        switch self {
        case .main(_, let r), .aux(_, let r): return r == .next
        case .constant, .periodic, .publicInput, .challenge, .busPublicSum: return false
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b): return a.readsNextRow || b.readsNextRow
        case .neg(let a), .power(let a, _): return a.readsNextRow
        }
    }

    /// Calls `visit` on this node and every node below it.
    public func forEachNode(_ visit: (Expression) -> Void) {
        visit(self)
        switch self {
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b):
            a.forEachNode(visit)
            b.forEachNode(visit)
        case .neg(let a), .power(let a, _): a.forEachNode(visit)
        default: break
        }
    }

    /// Evaluates the expression given the value of every leaf.
    public func evaluate(_ leaf: (Expression) -> Fp) -> Fp {
        switch self {
        case .constant(let c): return c
        case .main, .aux, .periodic, .publicInput, .challenge, .busPublicSum: return leaf(self)
        case .add(let a, let b): return a.evaluate(leaf) + b.evaluate(leaf)
        case .sub(let a, let b): return a.evaluate(leaf) - b.evaluate(leaf)
        case .mul(let a, let b): return a.evaluate(leaf) * b.evaluate(leaf)
        case .neg(let a): return -a.evaluate(leaf)
        case .power(let a, let k): return a.evaluate(leaf).power(UInt64(k))
        }
    }
}

// MARK: - Formulas

extension Expression {
    /// The expression as a formula with column names, e.g. `is_add·(rd − rs1 − rs2)`.
    public func formula(names: ExpressionNames) -> String { render(names, parentPrecedence: 0) }

    /// How tightly the node binds: `+ −`, then `·`, then unary `−`, then `^`, then a leaf. Formulas and circuit
    /// source share it.
    var precedence: Int {
        switch self {
        case .add, .sub: return 1
        case .mul: return 2
        case .neg: return 3
        case .power: return 4
        default: return 5
        }
    }

    private func render(_ names: ExpressionNames, parentPrecedence: Int) -> String {
        let text: String
        switch self {
        case .constant(let c):
            let negated = -c
            text = negated.decimalString.count < c.decimalString.count ? "-\(negated)" : c.decimalString
        case .main(let i, let r): text = names.main(i) + (r == .next ? "'" : "")
        case .aux(let i, let r): text = names.aux(i) + (r == .next ? "'" : "")
        case .periodic(let i): text = names.periodic(i)
        case .publicInput(let i): text = names.publicInput(i)
        case .challenge(let i): text = "challenge[\(i)]"
        case .busPublicSum(let i): text = "public_sum(\(names.bus(i)))"
        case .add(let a, let b):
            text = a.render(names, parentPrecedence: 1) + " + " + b.render(names, parentPrecedence: 1)
        case .sub(let a, let b):
            text = a.render(names, parentPrecedence: 1) + " − " + b.render(names, parentPrecedence: 2)
        case .mul(let a, let b):
            text = a.render(names, parentPrecedence: 2) + "·" + b.render(names, parentPrecedence: 3)
        case .neg(let a): text = "−" + a.render(names, parentPrecedence: 3)
        case .power(let a, let k): text = a.render(names, parentPrecedence: 5) + "^\(k)"
        }
        return precedence < parentPrecedence ? "(\(text))" : text
    }
}

/// How a formula names the leaves of an expression.
public struct ExpressionNames: Sendable {
    public var main: @Sendable (Int) -> String
    public var aux: @Sendable (Int) -> String
    public var periodic: @Sendable (Int) -> String
    public var publicInput: @Sendable (Int) -> String
    public var bus: @Sendable (Int) -> String

    /// Names built from the given lists; an index past a list's end prints as `kind[i]`.
    public init(main: [String], aux: [String], periodic: [String], publicInputs: [String], buses: [String] = []) {
        func namer(_ list: [String], _ kind: String) -> @Sendable (Int) -> String {
            { i in i < list.count ? list[i] : "\(kind)[\(i)]" }
        }
        self.main = namer(main, "main")
        self.aux = namer(aux, "aux")
        self.periodic = namer(periodic, "periodic")
        self.publicInput = namer(publicInputs, "public")
        self.bus = namer(buses, "bus")
    }
}
