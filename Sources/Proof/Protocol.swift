import AIR
import Field
import Hashing

/// The parts of the protocol that prover and verifier must compute identically: sizes derived from the AIR and the
/// parameters, the circuit digest, and the transcript's opening moves.
public enum StarkProtocol {
    /// The proof format and protocol version.
    public static let version: UInt16 = 6

    /// Whether FRI's layers are committed over salted leaves: never, with or without zero knowledge. Layer 0 is the
    /// DEEP composition plus λ·R for R uniformly random up to layer 0's whole degree bound, so it is itself a
    /// uniformly random polynomial of that degree, and every later layer is a function of it and the challenges:
    /// the digests of its unopened cosets hide nothing that needs hiding (`docs/zero-knowledge.md`, "FRI").
    public static let friLayersSalted = false

    /// The circuit id: BLAKE2b-256 of the AIR's canonical description.
    public static func circuitDigest(of air: AIR) -> Digest {
        air.derived("circuit digest") { Blake2b.hash(Array(("zkvm-circuit-v1\n" + air.canonicalDescription).utf8)) }
    }

    /// The coset shift of the extended domain: the group generator, which lies in no proper subgroup, so the
    /// extended domain never meets the trace domain.
    public static let domainOffset = Fp.generator

    /// A transcript with the proof's identity and statement absorbed, before any commitment.
    public static func startTranscript(
        circuitDigest: Digest, parameters: ProofParameters, logTraceLength: Int, publicInputs: [Fp],
        publicBusEntries: [[PublicBusEntry]] = []
    ) -> Transcript {
        var t = Transcript(domain: "zkvm-stark")
        t.absorb("version", integer: UInt64(version))
        t.absorb("circuit", digest: circuitDigest)
        t.absorb("parameters", bytes: parameters.canonicalBytes)
        t.absorb("log-trace-length", integer: UInt64(logTraceLength))
        t.absorb("public-inputs", elements: publicInputs)
        // The verifier's own bus entries are part of the statement: every value goes in before any challenge.
        t.absorb("public-bus-count", integer: UInt64(publicBusEntries.count))
        for entries in publicBusEntries {
            t.absorb("public-bus-entries", integer: UInt64(entries.count))
            var flat: [Fp] = []
            flat.reserveCapacity(entries.count * 4)
            for e in entries {
                flat.append(e.multiplicity)
                flat.append(Fp(UInt64(e.values.count)))
                flat += e.values
            }
            t.absorb("public-bus-values", elements: flat)
        }
        return t
    }

    /// Draws the out-of-domain point, drawing again while it lands where a divisor or a DEEP quotient would divide
    /// by zero (on the trace domain, or with z or z·ω on the extended domain).
    public static func drawOutOfDomainPoint(_ t: inout Transcript, shape: StarkShape) -> Fp {
        while true {
            let z = t.challenge("ood-point")
            if isOutOfDomain(z, shape: shape) { return z }
        }
    }
}

extension ProofParameters {
    /// The parameters as the transcript absorbs them: one byte each, the zero-knowledge flag last.
    public var canonicalBytes: [UInt8] {
        [
            UInt8(logBlowup), UInt8(queryCount), UInt8(grindingBits), UInt8(logFoldingFactor),
            UInt8(logRemainderDegree), zeroKnowledge ? 1 : 0,
        ]
    }
}

/// Why a proof cannot be made or checked with these sizes.
public enum ShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedParameters
    case traceLengthOutOfRange(log: Int)
    case traceTooShortForZeroKnowledge(rows: Int, maskDegree: Int)
    /// The extended domain (`ldeSize` points) is smaller than two FRI folding cosets, so there is nothing to fold
    /// into a remainder; use a longer trace, a larger blowup or a smaller folding factor.
    case traceTooShortForFolding(rows: Int, ldeSize: Int, foldingFactor: Int)

    public var description: String {
        switch self {
        case .unsupportedParameters: return "proof parameters are outside the supported ranges"
        case .traceLengthOutOfRange(let log): return "trace length 2^\(log) is outside the supported 2^1 … 2^26"
        case .traceTooShortForZeroKnowledge(let rows, let k):
            return "a trace of \(rows) rows is too short to mask with degree-\(k) randomness; use at least \(k) rows"
        case .traceTooShortForFolding(let rows, let size, let f):
            return "a trace of \(rows) rows is too short for these parameters: its \(size)-point extended domain "
                + "holds fewer than two FRI folding cosets of \(f); use a longer trace, a larger blowup or a smaller "
                + "folding factor"
        }
    }
}

/// Every size the protocol derives from an AIR, the parameters and the trace length.
public struct StarkShape: Sendable, Equatable {
    public let parameters: ProofParameters
    /// Rows in the trace, n.
    public let traceLength: Int
    public let logTraceLength: Int
    /// Generator of the trace domain, ω.
    public let traceGenerator: Fp
    /// Points in the committed extended domain, N = blowup · n (or more, for a table of a batch committed on a
    /// larger FRI layer: ``init(air:parameters:logTraceLength:logExtendedSize:domainOffset:)``).
    public let ldeSize: Int
    /// The coset shift of the committed domain: ``StarkProtocol/domainOffset`` for a proof of one table, its 2^s-th
    /// power for a table of a batch committed on FRI's layer s.
    public let domainOffset: Fp
    /// Points of the domain the prover evaluates the composition polynomial on: the smallest power of two ≥ n
    /// above its degree bound (below N for low-degree constraints, above N for high-degree ones).
    public let evaluationSize: Int
    /// Degree of each column's random mask, k (0 without zero knowledge).
    public let maskDegree: Int
    /// Degree bound of the composition polynomial before it is split.
    public let compositionDegreeBound: Int
    /// Number of composition segments, each of degree < n + k.
    public let segmentCount: Int
    /// FRI's degree bound d: every committed column's polynomial has degree < d.
    public let friDegreeBound: Int
    /// FRI layers committed after layer 0 (the DEEP composition, also committed): a proof carries
    /// ``friLayerCount`` + 1 layer roots, and there are ``friLayerCount`` + 1 folds, the last into the remainder.
    public let friLayerCount: Int
    /// Coefficients of the remainder polynomial.
    public let remainderLength: Int

    /// The shape of a proof of one table, or, with `logExtendedSize` (at least the trace's log size plus the
    /// blowup's) and `domainOffset`, of one table of a batch, committed on the FRI layer of that size.
    public init(
        air: AIR, parameters: ProofParameters, logTraceLength: Int, logExtendedSize: Int? = nil,
        domainOffset: Fp = StarkProtocol.domainOffset
    ) throws(ShapeError) {
        guard parameters.isSupported else { throw .unsupportedParameters }
        guard (1...26).contains(logTraceLength) else { throw .traceLengthOutOfRange(log: logTraceLength) }
        self.parameters = parameters
        let n = 1 << logTraceLength
        let k = parameters.maskDegree
        guard k <= n else { throw .traceTooShortForZeroKnowledge(rows: n, maskDegree: k) }
        traceLength = n
        self.logTraceLength = logTraceLength
        traceGenerator = Fp.rootOfUnity(logOrder: logTraceLength)
        let logSize = logExtendedSize ?? logTraceLength + parameters.logBlowup
        guard logSize >= logTraceLength + parameters.logBlowup, logSize <= 30 else { throw .unsupportedParameters }
        ldeSize = 1 << logSize
        self.domainOffset = domainOffset
        maskDegree = k

        let bound = air.constraints.map { StarkShape.quotientDegreeBound($0, traceLength: n, maskDegree: k) }.max() ?? 0
        compositionDegreeBound = bound
        segmentCount = max(parameters.zeroKnowledge ? 2 : 1, (bound + n - 1) / n)
        // The prover evaluates it on the smallest coset that determines it, at least one trace domain wide.
        var e = n
        while e < bound { e <<= 1 }
        evaluationSize = e
        friDegreeBound = n + k

        // Fold 2^logFoldingFactor at a time while the degree bound exceeds the remainder size and the next layer
        // still holds whole cosets. There is always at least one fold, producing the remainder; it needs a
        // remainder domain of at least two points.
        let f = parameters.foldingFactor
        guard ldeSize >= 2 * f else {
            throw .traceTooShortForFolding(rows: n, ldeSize: ldeSize, foldingFactor: f)
        }
        var degree = (friDegreeBound + f - 1) / f
        var domain = ldeSize / f
        var layers = 1
        while degree > 1 << parameters.logRemainderDegree && domain / f >= 2 * f {
            degree = (degree + f - 1) / f
            domain /= f
            layers += 1
        }
        // Layer 0 folds into layer 1; the last fold produces the remainder, so `layers` folds commit layers - 1.
        friLayerCount = layers - 1
        remainderLength = degree
    }

    /// The number of coefficients of constraint c's quotient C/D: a constraint of degree d over columns of degree
    /// < n + k has degree ≤ d·(n + k − 1), and its divisor D removes as many roots as the rows it covers.
    public static func quotientDegreeBound(_ c: Constraint, traceLength n: Int, maskDegree k: Int) -> Int {
        let divisor: Int
        switch c.domain {
        case .everyRow: divisor = n
        case .transition: divisor = n - 1
        case .firstRow, .lastRow, .row: divisor = 1
        }
        return c.expression.degree * (n + k - 1) - divisor + 1
    }

    /// Number of binary folds from layer 0 to the remainder.
    public var totalFolds: Int { (friLayerCount + 1) * parameters.logFoldingFactor }
}

extension StarkProtocol {
    /// Absorbs the out-of-domain values in their fixed order.
    public static func absorb(_ ood: OutOfDomainValues, into t: inout Transcript) {
        t.absorb("ood-main", elements: ood.main)
        t.absorb("ood-main-next", elements: ood.mainNext)
        t.absorb("ood-aux", elements: ood.aux)
        t.absorb("ood-aux-next", elements: ood.auxNext)
        t.absorb("ood-composition", elements: ood.composition)
    }

    /// The random coefficients of the DEEP composition.
    public struct DeepCoefficients: Sendable {
        /// For (t(x) − t(z))/(x − z), main columns then auxiliary columns.
        public var atZ: [Fp]
        /// For (t(x) − t(z·ω))/(x − z·ω), for the columns read on the next row: main then auxiliary.
        public var atZNext: [Fp]
        /// For (H_i(x) − H_i(z))/(x − z), one per composition segment, or per committed group of segments of a
        /// packing AIR (``compositionGroupCount(air:shape:)``).
        public var segments: [Fp]
        /// For the FRI masking polynomial (zero without zero knowledge).
        public var mask: Fp
    }

    /// Draws the DEEP coefficients in their fixed order.
    public static func drawDeepCoefficients(_ t: inout Transcript, air: AIR, shape: StarkShape) -> DeepCoefficients {
        // One coefficient per committed polynomial: per column or segment, or per group of a packing AIR.
        let w = air.committedGroups.count
        let v = air.committedNextRowGroups.count
        let h = compositionGroupCount(air: air, shape: shape)
        let all = t.challenges("deep", count: w + v + h + (shape.parameters.zeroKnowledge ? 1 : 0))
        return DeepCoefficients(
            atZ: Array(all[0..<w]), atZNext: Array(all[w..<w + v]), segments: Array(all[w + v..<w + v + h]),
            mask: shape.parameters.zeroKnowledge ? all[w + v + h] : .zero)
    }

    /// The committed polynomials of an AIR's composition segments: one per segment, or for an AIR that packs k
    /// columns one per k consecutive segments, Σ_j X^j·H_(h·k + j)(X^k), as its columns are packed.
    public static func compositionGroupCount(air: AIR, shape: StarkShape) -> Int {
        (shape.segmentCount + air.packing - 1) / air.packing
    }

    /// The distinct positions of the committed domain to query (bit-reversed rows, leaves of every commitment over
    /// it), in increasing order. Each is opened in the trace and composition commitments, and its folding coset in
    /// FRI's layer 0.
    public static func drawQueries(_ t: inout Transcript, shape: StarkShape) -> [Int] {
        let drawn = try! t.queryIndices("queries", count: shape.parameters.queryCount, below: shape.ldeSize)
        return Array(Set(drawn)).sorted()
    }
}

/// What joins one proof to the others of a statement proven in several (the segments of one execution): the global
/// buses' challenges, drawn after every proof's boundary columns were committed, and the digest of the joint
/// transcript they were drawn from, which each proof absorbs before anything of its own after its statement.
public struct GlobalContext: Hashable, Sendable {
    /// The joint transcript's digest after every boundary root (see ``challenges``).
    public var binding: Digest
    /// α and β of each global bus, in ``AIR/globalBuses`` order.
    public var challenges: [Fp]

    public init(binding: Digest, challenges: [Fp]) {
        self.binding = binding
        self.challenges = challenges
    }
}

extension StarkProtocol {
    /// Absorbs, after the statement: the joint transcript's binding (if any), the boundary root (if any) and the
    /// global shares. They come before the main root, so every later challenge depends on them; the shares in
    /// particular are fixed before the local buses' challenges, which is what makes the last-row balance of the
    /// running sum hold for each bus on its own.
    public static func absorbBoundary(
        _ t: inout Transcript, global: GlobalContext?, boundaryRoot: Digest?, globalShares: [Fp]
    ) {
        if let global { t.absorb("global-binding", digest: global.binding) }
        if let boundaryRoot { t.absorb("boundary-root", digest: boundaryRoot) }
        if !globalShares.isEmpty { t.absorb("global-shares", elements: globalShares) }
    }

    /// The local challenges drawn after the main root, with each global bus's α and β replaced by the joint ones.
    public static func drawChallenges(_ t: inout Transcript, air: AIR, global: GlobalContext?) -> [Fp] {
        guard air.challengeCount > 0 else { return [] }
        var challenges = t.challenges("aux", count: air.challengeCount)
        if let global {
            for (j, b) in air.globalBuses.enumerated() {
                challenges[2 * b] = global.challenges[2 * j]
                challenges[2 * b + 1] = global.challenges[2 * j + 1]
            }
        }
        return challenges
    }

    /// Every challenge of `air` with only the global buses' filled in (the rest zero): what computing the global
    /// shares needs, before the local challenges exist.
    public static func globalChallengeVector(air: AIR, global: GlobalContext) -> [Fp] {
        var challenges = [Fp](repeating: .zero, count: air.challengeCount)
        for (j, b) in air.globalBuses.enumerated() {
            challenges[2 * b] = global.challenges[2 * j]
            challenges[2 * b + 1] = global.challenges[2 * j + 1]
        }
        return challenges
    }
}

extension StarkProtocol {
    /// The joint context of proofs joined by global buses: `joint` holds the joint statement (absorbed by the
    /// caller: what the proofs are about, how many there are and of which circuits); the boundary roots go in, in
    /// proof order, and then the `busCount` global buses' challenges come out, with the transcript's state after
    /// them as the binding each proof absorbs. A prover therefore fixes every boundary column of every proof before
    /// it learns a global challenge.
    public static func globalContext(_ joint: Transcript, boundaryRoots: [Digest], busCount: Int) -> GlobalContext {
        var t = joint
        t.absorb("boundary-roots", integer: UInt64(boundaryRoots.count))
        for root in boundaryRoots { t.absorb("boundary-root", digest: root) }
        let challenges = t.challenges("global", count: 2 * busCount)
        return GlobalContext(binding: t.state, challenges: challenges)
    }
}
