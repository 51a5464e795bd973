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

    /// The degree of the random polynomials that mask each committed column: one more than the number of points at
    /// which a column is ever revealed (z, z·ω, and a whole folding coset per query), so every revealed value is
    /// uniformly distributed. Zero without zero knowledge.
    public var maskDegree: Int { zeroKnowledge ? foldingFactor * queryCount + 2 : 0 }
}

/// Named parameter sets.
public enum Profile: String, CaseIterable, Sendable {
    /// At least 100 proven bits (Johnson-bound list decoding), the fastest such set measured here.
    case `default`
    /// Faster, relying on conjectured security only: not accepted by the default verifier policy.
    case fast
    /// Tiny parameters for tests: fast and insecure, refused by the default verifier policy. No zero knowledge.
    case test
    /// ethSTARK's benchmark parameters (blowup 4, 30 queries, 20 grinding bits), for side-by-side timing.
    case ethstark

    public var parameters: ProofParameters {
        switch self {
        case .default: return ProofParameters(logBlowup: 3, queryCount: 56, grindingBits: 20)
        case .fast: return ProofParameters(logBlowup: 2, queryCount: 40, grindingBits: 20)
        case .test: return ProofParameters(logBlowup: 2, queryCount: 8, grindingBits: 2, logFoldingFactor: 2, zeroKnowledge: false)
        case .ethstark: return ProofParameters(logBlowup: 2, queryCount: 30, grindingBits: 20)
        }
    }
}
