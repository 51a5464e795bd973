/// The knobs of the proof system. Every proof carries its parameters; the verifier accepts them only when its own
/// policy (minimum proven security) says they are strong enough.
public struct ProofParameters: Hashable, Sendable {
    /// log₂ of the blowup: the extended domain is 2^logBlowup times the trace length.
    public var logBlowup: Int
    /// How many FRI query positions are drawn.
    public var queryCount: Int
    /// Leading zero bits the prover must find by brute force before the queries are drawn.
    public var grindingBits: Int
    /// log₂ of the FRI folding factor: each committed FRI layer is 2^logFoldingFactor times smaller.
    public var logFoldingFactor: Int
    /// log₂ of the largest remainder polynomial degree bound: folding stops once the degree bound is at most this.
    public var logRemainderDegree: Int
    /// Whether the proof hides the witness (masked columns, randomised quotient, salted leaves, FRI masking).
    public var zeroKnowledge: Bool

    public init(
        logBlowup: Int, queryCount: Int, grindingBits: Int, logFoldingFactor: Int = 3, logRemainderDegree: Int = 5,
        zeroKnowledge: Bool = true
    ) {
        self.logBlowup = logBlowup
        self.queryCount = queryCount
        self.grindingBits = grindingBits
        self.logFoldingFactor = logFoldingFactor
        self.logRemainderDegree = logRemainderDegree
        self.zeroKnowledge = zeroKnowledge
    }

    /// The blowup factor.
    public var blowup: Int { 1 << logBlowup }
    /// The FRI folding factor.
    public var foldingFactor: Int { 1 << logFoldingFactor }

    /// The ranges a proof's parameters must lie in to be decoded at all; policy comes on top.
    public static let logBlowupRange = 1...6
    public static let queryCountRange = 1...256
    public static let grindingBitsRange = 0...40
    public static let logFoldingFactorRange = 1...4
    public static let logRemainderDegreeRange = 0...10

    /// Whether every knob is within the supported ranges.
    public var isSupported: Bool {
        Self.logBlowupRange.contains(logBlowup) && Self.queryCountRange.contains(queryCount)
            && Self.grindingBitsRange.contains(grindingBits) && Self.logFoldingFactorRange.contains(logFoldingFactor)
            && Self.logRemainderDegreeRange.contains(logRemainderDegree)
    }

    /// The degree of the random polynomials that mask each committed column: the number of points at which a
    /// column's values are ever revealed, so every revealed value is uniformly distributed. A column is opened at z,
    /// z·ω and one point per query; the composition segments opened at each of those points also reveal H(x), which
    /// depends on the columns at x·ω as well. Hence 2·q + 2, whatever the folding factor (FRI's other values are
    /// masked by its own random polynomial). Zero without zero knowledge.
    public var maskDegree: Int { zeroKnowledge ? 2 * queryCount + 2 : 0 }
}

/// Named parameter sets.
public enum Profile: String, CaseIterable, Sendable {
    /// At least 100 proven bits (Johnson-bound list decoding) for every trace from 2^11 to 2^26 rows, proving as fast
    /// as any set that does: blowup 4, 86 queries, 20 grinding bits, folding by 8 down to a remainder below 2^9.
    case `default`
    /// About 100 conjectured bits (≥ 100 from 2^12 rows) at blowup 4 with fewer queries than `default` (folding by
    /// 4): slightly smaller proofs and faster verification, proving in about the same time; only about 60 proven
    /// bits, so the default verifier policy refuses it.
    case fast
    /// Tiny parameters for tests: fast and insecure (about 18 conjectured, 10 proven bits), refused by the default
    /// verifier policy. No zero knowledge.
    case test
    /// ethSTARK's benchmark parameters (blowup 4, 30 queries, 20 grinding bits), for side-by-side timing: about 80
    /// conjectured and 50 proven bits.
    case ethstark
    /// At least 100 proven bits from 2^11 rows with smaller proofs than `default` (about a third for the RV32IM
    /// circuit) at blowup 8, 55 queries, folding by 8; proving takes about 1.5 times the time.
    case compact

    /// The parameter set. `docs/security.md` tabulates each one's figures.
    public var parameters: ProofParameters {
        switch self {
        case .default:
            // The prover's cost grows with the blowup (every extended column, its transforms and its Merkle tree),
            // the proof with the queries. Blowup 2 would save nothing: the composition polynomial of a degree-3
            // circuit needs 3n points anyway. At blowup 4 each query proves about one bit (Johnson bound), and the
            // mask degree k = 2·q + 2 grows with q, so 86 queries are the fewest that reach 100 proven bits at
            // 2^11 rows (100.9; 105.8 at 2^16). Folding by 8 makes FRI's openings smallest (by 4 and by 16 they are
            // about 15% larger). Against `compact` on the RV32IM circuit at 2^18 rows: 1.5 times as fast, with proofs
            // half as large again. Folding stops at a remainder of degree < 2^9: its 2^9 values at most (16 KB) cost
            // less than the last two layers' openings at 81 queries, which hit nearly every coset of a small layer
            // (about 21 KB for a 2^17-row segment, 22 KB for a short program).
            return ProofParameters(
                logBlowup: 2, queryCount: 86, grindingBits: 20, logFoldingFactor: 3, logRemainderDegree: 9)
        case .compact:
            // Blowup 8, folding by 8, 55 queries (k = 112): 100.3 proven bits at 2^11 rows (98.3 at 2^10), 102.4 at
            // 2^16.
            return ProofParameters(logBlowup: 3, queryCount: 55, grindingBits: 20, logFoldingFactor: 3)
        case .fast:
            // 41 queries of 2 conjectured bits each, less the mask's rate loss, plus 20 grinding bits: 101.9 at 2^16
            // (at least 100 from 2^12 rows).
            return ProofParameters(logBlowup: 2, queryCount: 41, grindingBits: 20, logFoldingFactor: 2)
        case .test:
            return ProofParameters(
                logBlowup: 2, queryCount: 8, grindingBits: 2, logFoldingFactor: 2, zeroKnowledge: false)
        case .ethstark: return ProofParameters(logBlowup: 2, queryCount: 30, grindingBits: 20)
        }
    }
}

extension Profile {
    /// The profile these parameters are: its own, or, for the profiles that reach 100 proven bits (`default` and
    /// `compact`), its own with fewer queries, as a prover that fits its query count to each proof's shape sends
    /// them. Nil when they are no profile's.
    public init?(matching parameters: ProofParameters) {
        if let exact = Profile.allCases.first(where: { $0.parameters == parameters }) {
            self = exact
            return
        }
        let fitted = [Profile.default, .compact].first { profile in
            var own = profile.parameters
            guard parameters.queryCount < own.queryCount else { return false }
            own.queryCount = parameters.queryCount
            return own == parameters
        }
        guard let fitted else { return nil }
        self = fitted
    }
}
