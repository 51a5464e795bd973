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

    /// The degree of the random polynomials that mask each committed column: at least the number of points at
    /// which a column's values are ever revealed, so every revealed value is uniformly distributed. A column is
    /// opened at z, z·ω and a whole folding coset per query; the composition segments opened at each of those
    /// points also reveal H(x), which depends on the columns at x·ω as well. Hence 2·f·q + 2. Zero without zero
    /// knowledge.
    public var maskDegree: Int { zeroKnowledge ? 2 * foldingFactor * queryCount + 2 : 0 }
}

/// Named parameter sets.
public enum Profile: String, CaseIterable, Sendable {
    /// At least 100 proven bits (Johnson-bound list decoding) for every trace from 2^11 to 2^26 rows: blowup 8,
    /// 57 queries, 20 grinding bits, folding by 2, which keeps proofs of wide circuits small.
    case `default`
    /// About 100 conjectured bits (≥ 100 from 2^14 rows) at blowup 4, proving about 1.7 times as fast as `default`;
    /// only about 60 proven bits, so the default verifier policy refuses it.
    case fast
    /// Tiny parameters for tests: fast and insecure (about 18 conjectured, 10 proven bits), refused by the default
    /// verifier policy. No zero knowledge.
    case test
    /// ethSTARK's benchmark parameters (blowup 4, 30 queries, 20 grinding bits), for side-by-side timing: about 80
    /// conjectured and 50 proven bits.
    case ethstark

    /// The parameter set. `docs/security.md` tabulates each one's figures.
    public var parameters: ProofParameters {
        switch self {
        case .default:
            // Proven bits are about q·log₂(1/√ρ) + grinding, with ρ = (n + k)/N and mask degree k = 2·2^r·q + 2
            // for folding by 2^r, so short traces, where k is a large fraction of n, set the query count. With the
            // mask degree of 2^r·q + 2 that an earlier analysis used, the smallest q reaching 100 proven bits over
            // 2^10…2^22 rows (RescueShaped AIR: 12 columns, 36 constraints, degree 3), with the proof size at 2^15
            // rows, was:
            //   blowup 8,  fold 4, q 60:  100.8 bits at 2^10, 109.8 at 2^16;  254 KB   ← chosen
            //   blowup 8,  fold 8, q 67:  100.0 at 2^10, 120.1 at 2^16;       418 KB
            //   blowup 8,  fold 2, q 57:  101.0 at 2^10, 105.4 at 2^16;       249 KB
            //   blowup 16, fold 8, q 45:  100.1 at 2^10, 109.8 at 2^16;       294 KB
            // Proving 2^15 rows (best of 5, 2 cores) took 2.0–2.6 s for every blowup-8 set and 2.8 s (median 5.0 s)
            // at blowup 16, whose extended domain is twice as large. Among the blowup-8 sets, folding by 4 keeps
            // the mask small and the proof small with fewer FRI layers than folding by 2.
            // Two things changed that choice. The mask degree doubled (k = 2·2^r·q + 2), which favours small
            // folding factors. And the RV32IM circuit opens about 215 columns at every point of every queried
            // coset, so its proofs are mostly layer-0 rows: folding by 2 opens 2 rows per query instead of 4,
            // halving them, at the cost of more (narrow) FRI layers. Folding by 2 with 57 queries (k = 230) gives
            // 101.1 proven bits at 2^11 rows (97.1 at 2^10) and 105.3 at 2^16.
            return ProofParameters(logBlowup: 3, queryCount: 57, grindingBits: 20, logFoldingFactor: 1)
        case .fast:
            // 41 queries of 2 conjectured bits each, less the mask's rate loss, plus 20 grinding bits: 101.9 at 2^16.
            return ProofParameters(logBlowup: 2, queryCount: 41, grindingBits: 20, logFoldingFactor: 2)
        case .test:
            return ProofParameters(
                logBlowup: 2, queryCount: 8, grindingBits: 2, logFoldingFactor: 2, zeroKnowledge: false)
        case .ethstark: return ProofParameters(logBlowup: 2, queryCount: 30, grindingBits: 20)
        }
    }
}
