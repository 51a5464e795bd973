import Field

/// Σ_c γ_c·C_c for a group of constraints, rewritten so that the random coefficients γ are folded into the
/// constants before any point is evaluated.
///
/// Every constraint is split at its top level into a linear form Σ_a k_a·atom_a + s, where the atoms are the
/// sub-expressions that are not sums or constant multiples (columns, products, powers) and s collects what does not
/// depend on the row (public inputs, challenges, constants). Then Σ_c γ_c·C_c = Σ_a (Σ_c γ_c·k_{c,a})·atom_a +
/// Σ_c γ_c·s_c, so each point costs one multiplication per distinct atom instead of one per term of every
/// constraint. For the Rescue-shaped AIR that is 36 multiplications per point instead of 168.
///
/// The prover uses this; the verifier and the debug checker evaluate the constraints directly. Both come from the
/// same expressions, and a test checks they agree.
public struct LinearCombination: Sendable {
    /// The atoms, compiled: output i of `program` is atom i.
    public let program: ConstraintProgram
    /// terms[a]: the (constraint, constant factor) pairs in which atom a appears.
    let terms: [[(constraint: Int, factor: Fp)]]
    /// The row-independent part of each constraint, as (constraint, expression over scalars only).
    let scalarParts: [(constraint: Int, expression: Expression)]

    /// The combination of the AIR's constraints at `indices` (all of them by default); `bind` splits the weights by
    /// divisor group.
    public init(air: AIR, constraints indices: [Int]? = nil) {
        let indices = indices ?? Array(air.constraints.indices)
        var atoms: [Expression] = []
        var atomIndex: [Expression: Int] = [:]
        var terms: [[(Int, Fp)]] = []
        var scalarParts: [(Int, Expression)] = []
        for c in indices {
            var form: [Expression: Fp] = [:]
            var scalar: [Expression] = []
            LinearCombination.decompose(air.constraints[c].expression, factor: .one, into: &form, scalar: &scalar)
            for (atom, factor) in form where !factor.isZero {
                let a: Int
                if let known = atomIndex[atom] {
                    a = known
                } else {
                    atoms.append(atom)
                    terms.append([])
                    a = atoms.count - 1
                    atomIndex[atom] = a
                }
                terms[a].append((c, factor))
            }
            for s in scalar { scalarParts.append((c, s)) }
        }
        program = ConstraintProgram(expressions: atoms)
        self.terms = terms
        self.scalarParts = scalarParts
    }

    /// Splits `e·factor` into constant multiples of atoms (accumulated in `form`) and row-independent parts.
    private static func decompose(
        _ e: Expression, factor: Fp, into form: inout [Expression: Fp], scalar: inout [Expression]
    ) {
        if e.degree == 0 {
            scalar.append(factor == .one ? e : .mul(.constant(factor), e))
            return
        }
        switch e {
        case .add(let a, let b):
            decompose(a, factor: factor, into: &form, scalar: &scalar)
            decompose(b, factor: factor, into: &form, scalar: &scalar)
        case .sub(let a, let b):
            decompose(a, factor: factor, into: &form, scalar: &scalar)
            decompose(b, factor: -factor, into: &form, scalar: &scalar)
        case .neg(let a):
            decompose(a, factor: -factor, into: &form, scalar: &scalar)
        case .mul(.constant(let k), let b), .mul(let b, .constant(let k)):
            decompose(b, factor: factor * k, into: &form, scalar: &scalar)
        default:
            form[e, default: .zero] += factor
        }
    }

    /// For one proof and each group: the per-atom weights Σ_c γ_c·k_{c,a} and the constant Σ_c γ_c·s_c, summing
    /// over the constraints c with `groupOf[c] == g`.
    public func bind(
        gammas: [Fp], publicInputs: [Fp], challenges: [Fp], busPublicSums: [Fp] = [], groupOf: [Int],
        groupCount: Int
    ) -> (weights: [[Fp]], constants: [Fp]) {
        var weights = [[Fp]](repeating: [Fp](repeating: .zero, count: terms.count), count: groupCount)
        for (a, list) in terms.enumerated() {
            for (c, factor) in list { weights[groupOf[c]][a] += gammas[c] * factor }
        }
        var constants = [Fp](repeating: .zero, count: groupCount)
        for (c, e) in scalarParts {
            constants[groupOf[c]] += gammas[c] * e.evaluate { leaf in
                switch leaf {
                case .publicInput(let i): return publicInputs[i]
                case .challenge(let i): return challenges[i]
                case .busPublicSum(let i): return i < busPublicSums.count ? busPublicSums[i] : .zero
                default: return .zero  // unreachable: scalar parts read no column
                }
            }
        }
        return (weights, constants)
    }
}
