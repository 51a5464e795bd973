/// An expression being built by the circuit file parser: an ``Expression`` once every leaf is known, or the body of a
/// macro with parameters still open.
///
/// Each term carries its size, depth and degree, computed as it is built rather than by walking it: a chain of
/// macros such as `let b = a * a`, `let c = b * b`, … shares subtrees, so a walk would take time exponential in the
/// number of lines while these numbers take one step per operator. Every constructor checks them against
/// ``CircuitFileLimits``, which bounds the time and stack of everything that later walks the expression.
struct CircuitTerm {
    indirect enum Node {
        /// A finished expression: no macro parameter below it.
        case closed(Expression)
        /// Parameter `index` of the macro being defined.
        case parameter(Int)
        case add(CircuitTerm, CircuitTerm)
        case sub(CircuitTerm, CircuitTerm)
        case mul(CircuitTerm, CircuitTerm)
        case neg(CircuitTerm)
        case power(CircuitTerm, Int)
    }

    enum Operation {
        case add, sub, mul, neg
        case power(Int)
    }

    let node: Node
    /// Leaves and operators of the expanded tree, a parameter counting as one.
    let size: Int
    /// Nodes on the longest root-to-leaf path of the expanded tree.
    let depth: Int
    /// The degree in units of the trace length; meaningful only for closed terms.
    let degree: Int

    /// A leaf: a constant, a column reference, a public input or a periodic column.
    init(leaf: Expression) {
        node = .closed(leaf)
        size = 1
        depth = 1
        switch leaf {
        case .main, .aux, .periodic: degree = 1
        default: degree = 0
        }
    }

    init(parameter index: Int) {
        node = .parameter(index)
        size = 1
        depth = 1
        degree = 0
    }

    private init(node: Node, size: Int, depth: Int, degree: Int) {
        self.node = node
        self.size = size
        self.depth = depth
        self.degree = degree
    }

    /// The finished expression, or nil while a macro parameter is open.
    var expression: Expression? {
        if case .closed(let e) = node { return e }
        return nil
    }

    /// Applies `operation` to one operand (`neg`, `power`) or two, checking the limits.
    static func apply(
        _ operation: Operation, _ a: CircuitTerm, _ b: CircuitTerm? = nil, at location: CircuitSourceLocation
    ) throws(CircuitFileError) -> CircuitTerm {
        let size = 1 + a.size + (b?.size ?? 0)
        let depth = 1 + max(a.depth, b?.depth ?? 0)
        guard size <= CircuitFileLimits.maxNodes else {
            throw .tooComplex(
                location, reason: "more than \(CircuitFileLimits.maxNodes) nodes once macros are expanded")
        }
        guard depth <= CircuitFileLimits.maxDepth else {
            throw .tooComplex(
                location, reason: "nested more than \(CircuitFileLimits.maxDepth) deep once macros are expanded")
        }
        let degree: Int
        switch operation {
        case .add, .sub: degree = max(a.degree, b?.degree ?? 0)
        case .mul: degree = a.degree + (b?.degree ?? 0)
        case .neg: degree = a.degree
        // Both factors are bounded (degree by the check below, k by the exponent limit), so this cannot overflow.
        case .power(let k): degree = a.degree * k
        }
        let node: Node
        // Closed when every operand is: then the Expression is built at once and the degree is known.
        if let x = a.expression, b == nil || b?.expression != nil {
            guard degree <= CircuitFileLimits.maxDegree else {
                throw .tooComplex(location, reason: "degree \(degree) is above \(CircuitFileLimits.maxDegree)")
            }
            let y = b?.expression ?? .constant(.zero)  // read by the two-operand cases only, where b is non-nil
            switch operation {
            case .add: node = .closed(.add(x, y))
            case .sub: node = .closed(.sub(x, y))
            case .mul: node = .closed(.mul(x, y))
            case .neg: node = .closed(.neg(x))
            case .power(let k): node = .closed(.power(x, k))
            }
        } else {
            let y = b ?? a  // likewise
            switch operation {
            case .add: node = .add(a, y)
            case .sub: node = .sub(a, y)
            case .mul: node = .mul(a, y)
            case .neg: node = .neg(a)
            case .power(let k): node = .power(a, k)
            }
        }
        return CircuitTerm(node: node, size: size, depth: depth, degree: node.isClosed ? degree : 0)
    }

    /// The term with every parameter replaced by its argument. Only the open part of the tree is walked, and its
    /// size is bounded by the limits, so expansion costs at most ``CircuitFileLimits/maxNodes`` steps.
    func substituting(_ arguments: [CircuitTerm], at: CircuitSourceLocation) throws(CircuitFileError) -> CircuitTerm {
        func expand(_ t: CircuitTerm) throws(CircuitFileError) -> CircuitTerm {
            try t.substituting(arguments, at: at)
        }
        switch node {
        case .closed: return self
        case .parameter(let i): return arguments[i]
        case .add(let a, let b): return try .apply(.add, expand(a), expand(b), at: at)
        case .sub(let a, let b): return try .apply(.sub, expand(a), expand(b), at: at)
        case .mul(let a, let b): return try .apply(.mul, expand(a), expand(b), at: at)
        case .neg(let a): return try .apply(.neg, expand(a), at: at)
        case .power(let a, let k): return try .apply(.power(k), expand(a), at: at)
        }
    }
}

extension CircuitTerm.Node {
    fileprivate var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }
}
