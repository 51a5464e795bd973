import AIR
import Synchronization

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How hard it is to make the verifier accept a false statement, in bits: a prover that runs the protocol honestly
/// except for lying succeeds with probability at most 2^−bits per attempt (and grinding through 2^t transcripts
/// raises that to about 2^(t − bits)).
///
/// `docs/security.md` derives both figures and lists them for every profile.
public struct SecurityFigures: Hashable, Sendable {
    /// Security under the ethSTARK conjecture: each FRI query costs an attacker log₂(1/ρ) bits. The conjecture's
    /// strong, up-to-capacity form has counterexamples, so this figure is for comparison with other systems only.
    public var conjecturedBits: Double
    /// Security proven under the Johnson bound (list decoding): what the verifier's policy is checked against.
    public var provenBits: Double

    public init(conjecturedBits: Double, provenBits: Double) {
        self.conjecturedBits = conjecturedBits
        self.provenBits = provenBits
    }
}

/// One error term of the proven-security analysis.
public struct SecurityTerm: Hashable, Sendable {
    /// Which step: "ALI", "LogUp", "DEEP", "FRI batching", "FRI fold 1", …, "FRI queries".
    public var name: String
    /// −log₂ of the step's error probability.
    public var bits: Double

    public init(name: String, bits: Double) {
        self.name = name
        self.bits = bits
    }
}

/// The steps of the proven analysis; names are built only when a caller asks for them.
enum SecurityStep {
    case ali, logUp, deep, friBatching
    case friFold(Int)
    case friQueries

    var name: String {
        switch self {
        case .ali: return "ALI"
        case .logUp: return "LogUp"
        case .deep: return "DEEP"
        case .friBatching: return "FRI batching"
        case .friFold(let i): return "FRI fold \(i)"
        case .friQueries: return "FRI queries"
        }
    }
}

/// Constants of the security analysis.
enum SecurityModel {
    /// log₂ p for p = 2^251 + 17·2^192 + 1. The correction, about 2^−54, is below a double's resolution at 251.
    static let fieldBits = 251.0
    /// Collision resistance of the Merkle trees' 208-bit BLAKE2b digests (``Digest/merkleByteCount``; the
    /// transcript's 256 bits are more): a collision lets a prover open one commitment two ways, so no figure can
    /// exceed it.
    static let hashCollisionBits = 104.0
    /// The proximity parameter m is searched up to here. Going further gains at most q·log₂(1 + 1/2000) bits in
    /// the query term, below 0.19 bits for the largest supported query count, while the commit terms grow as m^7.
    static let maximumProximityParameter = 1000

    /// ethSTARK's conjectured figure for FRI over `ldeSize` points with degree bound `degreeBound`.
    static func conjecturedBits(parameters: ProofParameters, degreeBound: Int, ldeSize: Int) -> Double {
        let rate = Double(degreeBound) / Double(ldeSize)
        let queryBits = Double(parameters.queryCount) * -log2(rate) + Double(parameters.grindingBits)
        return max(0, min(queryBits, fieldBits - log2(Double(ldeSize)), hashCollisionBits))
    }
}

extension StarkShape {
    /// The conjectured and proven security of proofs of this shape for `air`.
    ///
    /// Both figures depend on the real code rate ρ = d/N, where d = ``friDegreeBound`` is n + k (the mask makes
    /// every committed polynomial k coefficients longer) and N = ``ldeSize``; for short traces with zero knowledge
    /// ρ is noticeably above 1/blowup.
    public func security(air: AIR) -> SecurityFigures {
        SecurityFigures(conjecturedBits: conjecturedSecurityBits(), provenBits: provenSecurityBits(air: air))
    }

    /// Every error term of the proven analysis for proximity parameter `m`, in bits: −log₂ of each error
    /// probability, before adding them up and before the hash cap. For inspecting which step limits a parameter
    /// set; ``security(air:)`` picks the best m itself. `m` must be at least 3 and below d/2, or the list size
    /// and every term that depends on it are meaningless.
    public func provenSecurityTerms(air: AIR, proximityParameter m: Int) -> [SecurityTerm] {
        log2ErrorTerms(AIRCounts(air, shape: self), proximityParameter: m).map {
            SecurityTerm(name: $0.step.name, bits: -$0.log2Error)
        }
    }

    /// ethSTARK's conjectured security (eprint 2021/582, section 5.10.1, as also computed by Winterfell): every
    /// query catches a cheating prover except with probability ρ, grinding adds its bits, and the field's size
    /// limits what the out-of-domain and batching steps can give (log₂|F| − log₂ N).
    func conjecturedSecurityBits() -> Double {
        SecurityModel.conjecturedBits(parameters: parameters, degreeBound: friDegreeBound, ldeSize: ldeSize)
    }

    /// Proven security in the list-decoding regime: eprint 2024/1553 (Theorem 2, the DEEP-ALI STARK up to the
    /// Johnson bound), maximised over the proximity parameter m, capped by the hash's collision resistance.
    ///
    /// Every error term is computed as a base-2 logarithm, because several are near 2^−200 and the field size is
    /// 2^251; the terms are then added (a union bound over the rounds) before taking −log₂.
    func provenSecurityBits(air: AIR) -> Double {
        guard friDegreeBound < ldeSize else { return 0 }
        let counts = AIRCounts(air, shape: self)
        // The search below takes about a millisecond, and a receipt's proofs share their shapes: the figure is kept
        // for each set of inputs it depends on.
        let key = ProvenSecurityKey(
            parameters: parameters, ldeSize: ldeSize, degreeBound: friDegreeBound, layers: friLayerCount, air: counts)
        if let known = provenSecurityMemo.withLock({ $0[key] }) { return known }
        let bits = searchProvenSecurityBits(counts)
        provenSecurityMemo.withLock { memo in
            if memo.count >= 4096 { memo.removeAll() }
            memo[key] = bits
        }
        return bits
    }

    /// ``provenSecurityBits(air:)`` computed afresh: the best figure over the proximity parameters m.
    private func searchProvenSecurityBits(_ counts: AIRCounts) -> Double {
        let d = Double(friDegreeBound)
        // Theorem 2 needs the slack η > 0, that is α = (1 + 1/2m)·√ρ above √ρ⁺ where ρ⁺ = (d + 2)/N is the rate
        // of the code the two DEEP openings (z and z·ω) move to: m < 1 / (2·(√((d + 2)/d) − 1)). The root is
        // rewritten as x / (√(1 + x) + 1) to avoid cancellation when d is large. The list size below also needs
        // ρ − 2m/N > 0, that is 2m < d.
        let x = 2 / d
        let slackBound = 1 / (2 * (x / ((1 + x).squareRoot() + 1)))
        var best = -Double.infinity
        var m = 3
        while m <= SecurityModel.maximumProximityParameter && Double(m) < slackBound && 2 * m < friDegreeBound {
            best = max(best, -log2Sum(log2ErrorTerms(counts, proximityParameter: m).map(\.log2Error)))
            m += 1
        }
        // No admissible m: the trace is too short for the Johnson-bound analysis to say anything.
        guard best > -.infinity else { return 0 }
        return max(0, min(best, SecurityModel.hashCollisionBits))
    }

    /// log₂ of every soundness error term for proximity parameter m.
    func log2ErrorTerms(_ air: AIRCounts, proximityParameter m: Int) -> [(step: SecurityStep, log2Error: Double)] {
        let field = SecurityModel.fieldBits
        let bigN = Double(ldeSize)
        let d = Double(friDegreeBound)
        let rate = d / bigN
        let mm = Double(m)
        var terms: [(step: SecurityStep, log2Error: Double)] = []

        // Johnson list size for agreement α = (1 + 1/2m)·√ρ: at most L = m / (ρ − 2m/N) codewords lie that close
        // to any committed word (eprint 2024/1553, Theorem 2; Winterfell `security.rs`). Every step below that
        // binds a commitment to a random challenge must hold for each of them.
        let listSize = mm * bigN / (d - 2 * mm)

        // ALI: the constraints are combined with random coefficients. For one candidate trace that breaks some
        // constraint, a combination of C quotients is a polynomial with probability at most (C − 1)/|F| when the
        // coefficients are powers of one challenge; ours are independent, which is no worse, and we charge C.
        terms.append((.ali, log2(listSize * air.constraintCount) - field))

        // LogUp (the auxiliary columns): α and β are drawn after the main trace is committed. A bus whose
        // value tuples do not balance still balances after fingerprinting with β only if two distinct tuples
        // collide, probability ≤ (w − 1)/|F| per pair of the F = entries·n fractions, and then the sum of
        // fractions Σ mᵢ/(α − cᵢ), a non-zero rational function of degree < F, vanishes (or α hits a pole) with
        // probability ≤ 2F/|F|. Charged once per candidate trace; ``AIRCounts/logUpEvents`` sums the numerators.
        if air.logUpEvents > 0 { terms.append((.logUp, log2(listSize * air.logUpEvents) - field)) }

        // DEEP: two distinct pairs of candidate codewords can agree at the out-of-domain point z only if z is a
        // root of a non-zero polynomial of degree ≤ D·(d + 1) + (d − 1), D the largest constraint degree, one per
        // pair of the L² pairs (eprint 2024/1553, Theorem 2, with the trace degree bound raised from n to the
        // masked d). The denominator |F| − |D ∪ H| is within 2^−200 of |F|.
        terms.append((.deep, log2(listSize * listSize * (air.maxDegree * (d + 1) + d - 1)) - field))

        // FRI commit phase, first round: the DEEP quotients of every main and auxiliary column (at z and z·ω),
        // every composition segment and, with zero knowledge, the masking polynomial are batched into layer 0.
        // Correlated agreement up to the Johnson radius (BCIKS20, Theorem 1.5; eprint 2022/1216, eq. 7) bounds a
        // bad batching challenge by (m + ½)^7·N² / (2·ρ^(3/2)·|F|) for a line; we use ethSTARK's and Winterfell's
        // constant ½, weaker than the theorem's ⅓, and charge M − 1 for M functions (batching by powers), which
        // also covers our independent coefficients.
        func agreement(domain: Double, rate: Double) -> Double {
            7 * log2(mm + 0.5) + 2 * log2(domain) - 1 - 1.5 * log2(rate) - field
        }
        terms.append((.friBatching, log2(air.batchedFunctions - 1) + agreement(domain: bigN, rate: rate)))

        // FRI commit phase, folding rounds: each fold by a = 2^logFoldingFactor combines a cosets' worth of values
        // with powers β, β², …, β^(a−1) of one challenge: a curve of degree a − 1 over that layer's domain, so
        // (a − 1) times the line bound at that layer's size and rate. There are ``friLayerCount`` + 1 folds, the
        // last one producing the remainder.
        let fold = parameters.foldingFactor
        var domain = ldeSize
        var degree = friDegreeBound
        for i in 0...friLayerCount {
            let layerRate = Double(degree) / Double(domain)
            let error = log2(Double(fold - 1)) + agreement(domain: Double(domain), rate: layerRate)
            terms.append((.friFold(i + 1), error))
            domain /= fold
            degree = (degree + fold - 1) / fold
        }

        // FRI query phase with grinding: each of the q independent queries passes a word that is far from every
        // codeword with probability at most α = (1 + 1/2m)·√ρ (eprint 2024/1553, Theorem 2), and the proof of work
        // multiplies the cost of every attempt by 2^g.
        let alpha = (1 + 1 / (2 * mm)) * rate.squareRoot()
        terms.append((.friQueries, Double(parameters.queryCount) * log2(alpha) - Double(parameters.grindingBits)))
        return terms
    }
}

/// log₂ of Σ 2^t over `terms`, computed relative to the largest so nothing underflows.
func log2Sum(_ terms: [Double]) -> Double {
    guard let top = terms.max() else { return -.infinity }
    return top + log2(terms.reduce(0) { $0 + exp2($1 - top) })
}

/// Everything the proven figure depends on.
private struct ProvenSecurityKey: Hashable {
    var parameters: ProofParameters
    var ldeSize: Int
    var degreeBound: Int
    var layers: Int
    var air: AIRCounts
}

private let provenSecurityMemo = Mutex<[ProvenSecurityKey: Double]>([:])

/// Everything a batch's proven figure depends on.
private struct BatchSecurityKey: Hashable {
    var parameters: ProofParameters
    var ldeSize: Int
    var degreeBound: Int
    var layers: [Int]
    var order: [Int]
    var logArities: [Int]
    var remainderLength: Int
    var airs: [AIRCounts]
}

private let batchSecurityMemo = Mutex<[BatchSecurityKey: Double]>([:])

/// What the proven analysis needs from an AIR, computed once rather than for every proximity parameter.
struct AIRCounts: Hashable {
    /// C, the number of constraints.
    let constraintCount: Double
    /// D, the largest constraint degree.
    let maxDegree: Double
    /// Σ over buses of 2F + (w − 1)·F²/2, with F = entries · n fractions and w the widest entry.
    let logUpEvents: Double
    /// M, the functions batched into FRI's layer 0: main and auxiliary columns at z and z·ω, the composition
    /// segments, and the masking polynomial with zero knowledge.
    let batchedFunctions: Double
    /// The functions of a batch table's trace commitments: two DEEP quotients (at z and z·ω) of each committed
    /// column, k columns packed in one (``AIR/packing``).
    let traceFunctions: Double
    /// The committed composition polynomials of a batch table: its segments, k to a polynomial for a packing AIR.
    let segments: Double
    /// The points each committed polynomial is opened at: z and z·ω, or for a packing AIR the k points x with
    /// x^k = z and the k with x^k = z·ω.
    let openedPoints: Double

    init(_ air: AIR, shape: StarkShape) {
        constraintCount = Double(air.constraints.count)
        maxDegree = Double(air.maxDegree)
        var events = 0.0
        for bus in air.buses {
            let fractions = Double(bus.entries.count) * Double(shape.traceLength)
            let width = Double(bus.entries.map(\.values.count).max() ?? 1)
            events += 2 * fractions + (width - 1) * fractions * fractions / 2
        }
        logUpEvents = events
        let columns = air.mainColumns.count + air.auxColumns.count
        batchedFunctions = Double(2 * columns + shape.segmentCount + (shape.parameters.zeroKnowledge ? 1 : 0))
        traceFunctions = Double(2 * (air.committedBoundaryCount + air.committedMainCount + air.committedAuxCount))
        segments = Double(StarkProtocol.compositionGroupCount(air: air, shape: shape))
        openedPoints = Double(2 * air.packing)
    }
}

extension BatchShape {
    /// The conjectured and proven security of batch proofs of this shape for `airs` (one per table).
    ///
    /// The analysis is the one-table analysis of ``StarkShape/security(air:)`` with every round's terms taken for
    /// every table, at the layer the table is committed on: ALI, LogUp and DEEP with that layer's degree bound and
    /// list size; FRI batching once per layer that takes in tables, over that layer's domain; each fold by 2^r a curve
    /// of degree 2^r − 1, or 2^r when tables are added in after it; the queries at layer 0's rate.
    public func security(airs: [AIR]) -> SecurityFigures {
        let airs = airs.indices.map { airs[$0].forTable(logRows: tables[$0].logTraceLength) }
        return SecurityFigures(
            conjecturedBits: SecurityModel.conjecturedBits(
                parameters: parameters, degreeBound: friDegreeBound, ldeSize: ldeSize),
            provenBits: provenSecurityBits(airs: airs))
    }

    func provenSecurityBits(airs: [AIR]) -> Double {
        guard friDegreeBound < ldeSize else { return 0 }
        let counts = airs.indices.map { AIRCounts(airs[$0], shape: tables[$0]) }
        // As for one table, the search is kept for each set of inputs it depends on: a receipt's batches share
        // their shapes.
        let key = BatchSecurityKey(
            parameters: parameters, ldeSize: ldeSize, degreeBound: friDegreeBound, layers: traceLayers,
            order: traceOrder,
            logArities: logArities, remainderLength: remainderLength, airs: counts)
        if let known = batchSecurityMemo.withLock({ $0[key] }) { return known }
        let bits = searchProvenSecurityBits(counts)
        batchSecurityMemo.withLock { memo in
            if memo.count >= 4096 { memo.removeAll() }
            memo[key] = bits
        }
        return bits
    }

    private func searchProvenSecurityBits(_ counts: [AIRCounts]) -> Double {
        let limit = proximityParameterLimit(counts)
        guard limit >= 3 else { return 0 }
        var best = -Double.infinity
        for m in 3...limit { best = max(best, -log2Sum(log2ErrorTerms(counts, proximityParameter: m))) }
        return max(0, min(best, SecurityModel.hashCollisionBits))
    }

    /// The largest proximity parameter m the analysis admits for a batch of `airs` in this shape (the proven
    /// figure is the best over 3 ≤ m ≤ this), or 0 when none is.
    public func proximityParameterLimit(airs: [AIR]) -> Int {
        let airs = airs.indices.map { airs[$0].forTable(logRows: tables[$0].logTraceLength) }
        return proximityParameterLimit(airs.indices.map { AIRCounts(airs[$0], shape: tables[$0]) })
    }

    func proximityParameterLimit(_ counts: [AIRCounts]) -> Int {
        let d = Double(friDegreeBound)
        // The slack of Theorem 2 must be positive for every table: α, at layer 0's rate d_0/N_0, must exceed the
        // square root of the rate on the table's trace layer s after its DEEP openings, (d_s + p)/N_s for its p
        // opened points (2, or 2k for a table that packs k). With N_s = N_0/2^s that is (1 + 1/2m)² > 1 + x for
        // x = (2^s·(d_s + p) − d_0)/d_0, computed from integers so that nothing cancels; a short table on a far
        // layer binds first.
        let slackBound = counts.indices.map { t in
            let s = traceLayers[t]
            let scaled = ((friDegreeBound + (1 << s) - 1) >> s) << s  // 2^s·d_s
            let x = (Double(scaled - friDegreeBound) + counts[t].openedPoints * Double(1 << s)) / d
            return 1 / (2 * (x / ((1 + x).squareRoot() + 1)))
        }.min()!
        // The list size of every layer that holds a table must be finite.
        let smallestBound = traceLayers.map { (friDegreeBound + (1 << $0) - 1) >> $0 }.min()!
        var m = 2
        while m < SecurityModel.maximumProximityParameter && Double(m + 1) < slackBound && 2 * (m + 1) < smallestBound {
            m += 1
        }
        return m >= 3 ? m : 0
    }

    /// log₂ of every soundness error term for proximity parameter m.
    func log2ErrorTerms(_ counts: [AIRCounts], proximityParameter m: Int) -> [Double] {
        let field = SecurityModel.fieldBits
        let mm = Double(m)
        func size(_ s: Int) -> Double { Double(ldeSize >> s) }
        func bound(_ s: Int) -> Double { Double((friDegreeBound + (1 << s) - 1) >> s) }
        func listSize(_ s: Int) -> Double { mm * size(s) / (bound(s) - 2 * mm) }
        func agreement(_ s: Int) -> Double {
            7 * log2(mm + 0.5) + 2 * log2(size(s)) - 1 - 1.5 * log2(bound(s) / size(s)) - field
        }
        var terms: [Double] = []
        var functions: [Int: Double] = [:]
        for (t, c) in counts.enumerated() {
            // The committed polynomials, trace and composition, live on the trace layer, k times the written degree
            // for a packing table; its list size is charged for every step, the DEEP step with its 2k opened points
            // and pairs of candidates, trace and composition codewords, both on that layer.
            let s = traceLayers[t]
            let l = listSize(s)
            terms.append(log2(l * c.constraintCount) - field)
            if c.logUpEvents > 0 { terms.append(log2(l * c.logUpEvents) - field) }
            terms.append(log2(l * l * (c.maxDegree * (bound(s) + 1) + (c.openedPoints - 1) * (bound(s) - 1))) - field)
            // Every DEEP quotient joins FRI on the trace layer, with FRI's masking polynomial for the first table.
            let masked = parameters.zeroKnowledge && t == traceOrder[0] ? 1.0 : 0.0
            functions[s, default: 0] += c.traceFunctions + c.segments + masked
        }
        for (s, count) in functions where count > 1 { terms.append(log2(count - 1) + agreement(s)) }
        var s = 0
        for r in logArities {
            let addsTables = functions[s + r] != nil
            terms.append(log2(Double((1 << r) - (addsTables ? 0 : 1))) + agreement(s))
            s += r
        }
        let alpha = (1 + 1 / (2 * mm)) * (Double(friDegreeBound) / Double(ldeSize)).squareRoot()
        terms.append(Double(parameters.queryCount) * log2(alpha) - Double(parameters.grindingBits))
        return terms
    }
}

extension BatchShape {
    /// `parameters` with the fewest queries, at most their own count, that still give a batch of `airs` at these
    /// heights `bits` proven bits; `parameters` themselves when they do not give that many to begin with.
    ///
    /// A profile's query count is the one its weakest shape needs (`default`: 86 at 2^11 rows). Taller shapes
    /// need a few fewer, and each query left out takes its opened rows, salts and paths out of the proof. The
    /// verifier recomputes the figure from the proof's own parameters, so it needs to know nothing of this.
    public static func fewestQueries(
        _ parameters: ProofParameters, reaching bits: Double, airs: [AIR], logTraceLengths: [Int]
    ) -> ProofParameters {
        func proven(_ p: ProofParameters) -> Double {
            guard let shape = try? BatchShape(airs: airs, parameters: p, logTraceLengths: logTraceLengths) else {
                return 0
            }
            return shape.security(airs: airs).provenBits
        }
        guard proven(parameters) >= bits else { return parameters }
        var fewest = parameters
        while fewest.queryCount > 1 {
            var fewer = fewest
            fewer.queryCount -= 1
            guard proven(fewer) >= bits else { break }
            fewest = fewer
        }
        return fewest
    }
}
