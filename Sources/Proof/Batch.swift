import AIR
import Field
import Hashing

/// Several tables proven at once, each at its own height: one commitment per phase for all of them
/// (``MixedMerkleTree``), one FRI and one set of queries.
///
/// Every table is committed on one of FRI's layers: the tallest on layer 0 (blowup times its rows), a shorter one on
/// the layer whose degree bound first holds it, 2^s times smaller after s binary folds. FRI folds layer 0, the DEEP
/// composition of the layer-0 tables, and adds in the DEEP composition of the tables of layer s as its folding
/// reaches that size. A query at position p of layer 0 opens a table of layer s at p >> s, the point whose 2^s-th
/// power it is. So a short table costs its own rows, not the tallest table's, and a proof carries one set of Merkle
/// paths and FRI layers however many tables it holds.
///
/// Tables meet on shared buses (``LogUpBus/isShared``): the shared buses of one name in a batch's tables are one bus,
/// of one width, with one pair of challenges. Each table states its share of every shared bus it has (the sum of its
/// fractions) after its auxiliary columns are committed, its running sum must end at minus the sum of its shares,
/// and the verifier checks that the shares of each bus cancel. Every other bus is its table's own, with challenges
/// of its own, whatever other tables call theirs.
public struct BatchShape: Sendable, Equatable {
    public let parameters: ProofParameters
    /// Each table's shape: its trace, the FRI layer it is committed on (size and coset) and its composition.
    public let tables: [StarkShape]
    /// The FRI layer (binary folds from layer 0) each table's columns as written live on: its columns are extended
    /// and its composition polynomial evaluated there.
    public let layers: [Int]
    /// The FRI layer each table's commitments are on, trace and composition alike, and its DEEP composition joins
    /// FRI at: ``layers`` less log₂ of its packing (``AIR/packing``), whose committed polynomials have k times the
    /// degree; the same layer for a table that does not pack.
    public let traceLayers: [Int]
    /// Each table's packing k.
    public let packings: [Int]
    /// The tables in the order of every commitment (boundary, main, auxiliary, composition): by trace layer, then
    /// packing, then the largest degree bound first, then as given. The first carries FRI's masking polynomial.
    public let traceOrder: [Int]
    /// Points of FRI's layer 0, the largest committed domain.
    public let ldeSize: Int
    /// FRI's degree bound on layer 0; after s binary folds it is ⌈d/2^s⌉, at least every table of layer s needs.
    public let friDegreeBound: Int
    /// log₂ of each committed FRI layer's folding factor, layer 0 first; the last fold gives the remainder.
    public let logArities: [Int]
    /// Coefficients of the remainder polynomial.
    public let remainderLength: Int

    /// The shape of a batch of tables of `airs`, with 2^`logTraceLengths[t]` rows each.
    public init(airs: [AIR], parameters: ProofParameters, logTraceLengths: [Int]) throws(ShapeError) {
        guard parameters.isSupported, !airs.isEmpty, airs.count == logTraceLengths.count else {
            throw .unsupportedParameters
        }
        for log in logTraceLengths where !(1...26).contains(log) { throw .traceLengthOutOfRange(log: log) }
        let airs = airs.indices.map { airs[$0].forTable(logRows: logTraceLengths[$0]) }
        self.parameters = parameters
        let k = parameters.maskDegree
        // A table of n rows packing p columns commits polynomials of degree < p·(n + k) on a domain of p·n·blowup
        // points: it is placed by that height and degree bound.
        let packings = airs.map(\.packing)
        self.packings = packings
        let logPackings = packings.map(\.trailingZeroBitCount)
        let logCommitted = logTraceLengths.indices.map { logTraceLengths[$0] + logPackings[$0] }
        let degreeBounds = logTraceLengths.indices.map { packings[$0] * ((1 << logTraceLengths[$0]) + k) }
        let logTop = logCommitted.max()!
        let logL0 = logTop + parameters.logBlowup
        guard logL0 <= 30 else { throw .unsupportedParameters }
        let d0 = max((1 << logTop) + k, degreeBounds.max()!)
        func bound(afterFolds s: Int) -> Int { (d0 + (1 << s) - 1) >> s }
        // It goes on the furthest layer whose bound holds its degree bound, and never on a domain smaller than
        // blowup times its committed rows.
        let furthest = logCommitted.indices.map { t in
            var s = 0
            while s < logTop - logCommitted[t] && degreeBounds[t] <= bound(afterFolds: s + 1) { s += 1 }
            return s
        }
        // FRI's folding must land on every layer a table's DEEP composition joins it at: its trace layer, where all
        // its commitments are. Each landing short of the profile's arity costs a committed FRI layer, about 30 KB
        // of paths a proof. So a batch with a packing table places each table on its furthest layer or up to three
        // nearer (a domain up to 8 times larger for that table, never a smaller one), whichever needs fewest FRI
        // layers, then the furthest, as long as the values the moved tables add to the commitments (committed
        // polynomials times the points added) stay within 2^21 or a sixteenth of the batch's: a small program pays
        // a fraction of a second for a smaller proof, a large segment never pays seconds for 30 KB. A table on a
        // nearer layer is held to that layer's degree bound, which the security figure already counts.
        let polynomials = airs.map { $0.committedBoundaryCount + $0.committedMainCount + $0.committedAuxCount + 1 }
        func committedValues(_ t: Int, onLayer s: Int) -> Int { polynomials[t] << (logL0 - s) }
        let furthestValues = furthest.indices.reduce(0) { $0 + committedValues($1, onLayer: furthest[$1]) }
        let budget = max(1 << 21, furthestValues / 16)
        func arities(_ trace: [Int]) -> [Int]? {
            let targets = Set(trace.filter { $0 > 0 })
            var arities: [Int] = []
            var s = 0
            repeat {
                var r = min(parameters.logFoldingFactor, logL0 - s - 1)
                if let next = targets.filter({ $0 > s }).min() { r = min(r, next - s) }
                guard r >= 1 else { return nil }
                arities.append(r)
                s += r
            } while targets.contains(where: { $0 >= s })
                || (bound(afterFolds: s) > 1 << parameters.logRemainderDegree
                    && logL0 - s >= 2 * parameters.logFoldingFactor + 1)
            return arities
        }
        var traceLayers = furthest
        if packings.contains(where: { $0 > 1 }) && airs.count <= 4 {
            var best: (layers: Int, depth: Int)?
            var choice = furthest
            func search(_ t: Int) {
                guard t < choice.count else {
                    let added = choice.indices.reduce(0) {
                        $0 + committedValues($1, onLayer: choice[$1]) - committedValues($1, onLayer: furthest[$1])
                    }
                    guard added <= budget, let count = arities(choice)?.count else { return }
                    let key = (layers: count, depth: -choice.reduce(0, +))
                    if best == nil || (key.layers, key.depth) < (best!.layers, best!.depth) {
                        best = key
                        traceLayers = choice
                    }
                    return
                }
                for s in stride(from: furthest[t], through: max(0, furthest[t] - 3), by: -1) {
                    choice[t] = s
                    search(t + 1)
                }
                choice[t] = furthest[t]
            }
            search(0)
        }
        self.traceLayers = traceLayers
        let layers = traceLayers.indices.map { traceLayers[$0] + logPackings[$0] }
        self.layers = layers
        // On a layer, the table that packs fewest columns first, then the largest degree bound: the first of layer 0
        // carries FRI's masking polynomial (docs/zero-knowledge.md).
        func rank(_ t: Int) -> (Int, Int, Int, Int) { (traceLayers[t], packings[t], -degreeBounds[t], t) }
        traceOrder = traceLayers.indices.sorted { rank($0) < rank($1) }
        var shapes: [StarkShape] = []
        for (t, air) in airs.enumerated() {
            shapes.append(
                try StarkShape(
                    air: air, parameters: parameters, logTraceLength: logTraceLengths[t],
                    logExtendedSize: logL0 - layers[t],
                    domainOffset: StarkProtocol.domainOffset.power(UInt64(1) << UInt64(layers[t]))))
        }
        tables = shapes
        ldeSize = 1 << logL0
        friDegreeBound = d0

        // Fold by the profile's factor, but land on every layer a table is added in at, and fold at least once
        // after the last of them; then go on while the degree bound exceeds the remainder's and two folding cosets
        // remain.
        guard let folds = arities(traceLayers) else {
            throw .traceTooShortForFolding(
                rows: 1 << logTop, ldeSize: 1 << logL0, foldingFactor: 1 << parameters.logFoldingFactor)
        }
        logArities = folds
        remainderLength = bound(afterFolds: folds.reduce(0, +))
    }

    /// The distinct increasing positions of layer `s` that the distinct increasing layer-0 positions `queries` fall
    /// on.
    public func positions(onLayer s: Int, queries: [Int]) -> [Int] {
        var out: [Int] = []
        for q in queries where out.last != q >> s { out.append(q >> s) }
        return out
    }

    /// Table t's distinct positions in its trace commitments (``traceLayers``) for the queries.
    public func tracePositions(of t: Int, queries: [Int]) -> [Int] { positions(onLayer: traceLayers[t], queries: queries) }

    /// Number of binary folds from layer 0 to the remainder.
    public var totalFolds: Int { logArities.reduce(0, +) }

    /// Table t's distinct positions for the distinct increasing layer-0 positions `queries`: each shifted right by
    /// the table's layer, in increasing order.
    public func positions(of t: Int, queries: [Int]) -> [Int] { positions(onLayer: layers[t], queries: queries) }

    /// The polynomials table t's composition commitment holds: its segments, k to a polynomial for a table that
    /// packs k columns (``StarkProtocol/compositionGroupCount(air:shape:)``), then FRI's masking polynomial if the
    /// table carries it (the first of ``traceOrder``, with zero knowledge), one polynomial whatever the packing.
    public func committedCompositionCount(_ t: Int, air: AIR) -> Int {
        StarkProtocol.compositionGroupCount(air: air, shape: tables[t])
            + (parameters.zeroKnowledge && t == traceOrder[0] ? 1 : 0)
    }
}

/// What one table of a batch states in the proof.
public struct BatchTablePart: Hashable, Sendable {
    /// The table's circuit id.
    public var circuitDigest: Digest
    /// log₂ of the table's rows.
    public var logTraceLength: Int
    public var publicInputs: [Fp]
    /// The table's share of each global bus (``AIR/globalBuses`` order).
    public var globalShares: [Fp]
    /// The table's share of each bus it shares with other tables of the batch, in the table's bus order.
    public var busShares: [Fp]
    /// The table's columns and composition segments at the out-of-domain point.
    public var outOfDomain: OutOfDomainValues

    public init(
        circuitDigest: Digest, logTraceLength: Int, publicInputs: [Fp], globalShares: [Fp], busShares: [Fp],
        outOfDomain: OutOfDomainValues
    ) {
        self.circuitDigest = circuitDigest
        self.logTraceLength = logTraceLength
        self.publicInputs = publicInputs
        self.globalShares = globalShares
        self.busShares = busShares
        self.outOfDomain = outOfDomain
    }
}

/// A proof that traces satisfying each of a batch's AIRs exist, joined by their shared buses.
///
/// The fields are in the order the prover sends them. Each commitment is a ``MixedMerkleTree`` whose classes are the
/// tables that have such columns, in ``BatchShape/order``.
public struct BatchProof: Hashable, Sendable {
    public var version: UInt16
    public var parameters: ProofParameters
    public var tables: [BatchTablePart]
    /// Commitment to the boundary columns of the tables that have them; absent when none has.
    public var boundaryRoot: Digest?
    /// Commitment to every table's main columns (all but the boundary columns).
    public var mainRoot: Digest
    /// Commitment to the auxiliary columns of the tables that have buses; absent when none has.
    public var auxRoot: Digest?
    /// Commitment to every table's composition segments and, with zero knowledge, FRI's masking polynomial (with
    /// the first table's).
    public var compositionRoot: Digest
    /// Roots of the committed FRI layers, layer 0 first.
    public var friRoots: [Digest]
    public var remainder: [Fp]
    public var proofOfWorkNonce: UInt64
    public var boundaryOpening: MixedMerkleOpening?
    public var mainOpening: MixedMerkleOpening
    public var auxOpening: MixedMerkleOpening?
    public var compositionOpening: MixedMerkleOpening
    /// One opening per committed FRI layer, layer 0 first; each leaf is one folding coset of that layer.
    public var friOpenings: [MerkleOpening]

    public init(
        version: UInt16, parameters: ProofParameters, tables: [BatchTablePart], boundaryRoot: Digest?,
        mainRoot: Digest, auxRoot: Digest?, compositionRoot: Digest, friRoots: [Digest], remainder: [Fp],
        proofOfWorkNonce: UInt64, boundaryOpening: MixedMerkleOpening?, mainOpening: MixedMerkleOpening,
        auxOpening: MixedMerkleOpening?, compositionOpening: MixedMerkleOpening, friOpenings: [MerkleOpening]
    ) {
        self.version = version
        self.parameters = parameters
        self.tables = tables
        self.boundaryRoot = boundaryRoot
        self.mainRoot = mainRoot
        self.auxRoot = auxRoot
        self.compositionRoot = compositionRoot
        self.friRoots = friRoots
        self.remainder = remainder
        self.proofOfWorkNonce = proofOfWorkNonce
        self.boundaryOpening = boundaryOpening
        self.mainOpening = mainOpening
        self.auxOpening = auxOpening
        self.compositionOpening = compositionOpening
        self.friOpenings = friOpenings
    }
}

/// One table of a batch as the verifier knows it: its circuit and its statement.
public struct BatchStatement: Sendable {
    public var air: AIR
    public var publicInputs: [Fp]
    /// Bus b's entries the verifier supplies itself, as for a proof of one table (none on a shared bus).
    public var publicBusEntries: [[PublicBusEntry]]

    public init(air: AIR, publicInputs: [Fp], publicBusEntries: [[PublicBusEntry]] = []) {
        self.air = air
        self.publicInputs = publicInputs
        self.publicBusEntries = publicBusEntries
    }
}

/// The protocol steps of a batch that prover and verifier compute identically.
public enum BatchProtocol {
    /// The shared buses of each table: for table t, the indices of its buses declared shared.
    public static func sharedBuses(_ airs: [AIR]) -> [[Int]] {
        airs.map { air in air.buses.indices.filter { air.buses[$0].isShared } }
    }

    /// Why these tables cannot be proven together, or nil: a shared bus of one name must be of one width in every
    /// table, and appear once in each.
    public static func sharedBusProblem(_ airs: [AIR]) -> String? {
        var widths: [String: Int] = [:]
        for air in airs {
            var seen = Set<String>()
            for bus in air.buses where bus.isShared {
                guard seen.insert(bus.name).inserted else { return "'\(air.name)' has two shared buses '\(bus.name)'" }
                let width = bus.entries.map(\.values.count).max() ?? 0
                if let known = widths[bus.name], known != width {
                    return "shared bus '\(bus.name)' carries \(width) values in '\(air.name)' and \(known) elsewhere"
                }
                widths[bus.name] = width
            }
        }
        return nil
    }

    /// A transcript with the batch's identity and statements absorbed: every table's circuit, height, public
    /// inputs and public bus entries, before any commitment.
    public static func startTranscript(
        statements: [BatchStatement], parameters: ProofParameters, logTraceLengths: [Int]
    ) -> Transcript {
        var t = Transcript(domain: "zkvm-batch")
        t.absorb("version", integer: UInt64(StarkProtocol.version))
        t.absorb("parameters", bytes: parameters.canonicalBytes)
        t.absorb("tables", integer: UInt64(statements.count))
        for (s, log) in zip(statements, logTraceLengths) {
            let table = StarkProtocol.startTranscript(
                circuitDigest: StarkProtocol.circuitDigest(of: s.air), parameters: parameters, logTraceLength: log,
                publicInputs: s.publicInputs, publicBusEntries: s.publicBusEntries)
            t.absorb("table", digest: table.state)
        }
        return t
    }

    /// Every table's challenges, drawn after the main root: α and β for each shared bus name of the batch in order
    /// of first appearance, then for each other local bus of each table in order; a global bus's come from the joint
    /// context (its k-th global bus takes the context's k-th pair, as for a proof of one table).
    public static func drawChallenges(_ t: inout Transcript, airs: [AIR], global: GlobalContext?) -> [[Fp]] {
        var names: [String] = []
        for air in airs {
            for bus in air.buses where bus.isShared && !names.contains(bus.name) { names.append(bus.name) }
        }
        let sharedDrawn = names.isEmpty ? [] : t.challenges("aux", count: 2 * names.count)
        let own = airs.map { air in air.buses.filter { !$0.isGlobal && !$0.isShared }.count }
        let ownDrawn = own.reduce(0, +) == 0 ? [] : t.challenges("aux-own", count: 2 * own.reduce(0, +))
        var nextOwn = 0
        return airs.map { air in
            var challenges = [Fp](repeating: .zero, count: air.challengeCount)
            var globalIndex = 0
            for (b, bus) in air.buses.enumerated() {
                if bus.isGlobal {
                    if let global, 2 * globalIndex + 1 < global.challenges.count {
                        challenges[2 * b] = global.challenges[2 * globalIndex]
                        challenges[2 * b + 1] = global.challenges[2 * globalIndex + 1]
                    }
                    globalIndex += 1
                } else if bus.isShared {
                    let i = names.firstIndex(of: bus.name)!
                    challenges[2 * b] = sharedDrawn[2 * i]
                    challenges[2 * b + 1] = sharedDrawn[2 * i + 1]
                } else {
                    challenges[2 * b] = ownDrawn[2 * nextOwn]
                    challenges[2 * b + 1] = ownDrawn[2 * nextOwn + 1]
                    nextOwn += 1
                }
            }
            return challenges
        }
    }

    /// The out-of-domain point: drawn again while it lands where some table's divisor or DEEP quotient would
    /// divide by zero.
    public static func drawOutOfDomainPoint(_ t: inout Transcript, shape: BatchShape) -> Fp {
        while true {
            let z = t.challenge("ood-point")
            if shape.tables.allSatisfy({ StarkProtocol.isOutOfDomain(z, shape: $0) }) { return z }
        }
    }

    /// The DEEP coefficients of every table, in table order; the first table in the trace commitments' order also
    /// weighs FRI's masking polynomial.
    public static func drawDeepCoefficients(
        _ t: inout Transcript, airs: [AIR], shape: BatchShape
    ) -> [StarkProtocol.DeepCoefficients] {
        airs.indices.map { i in
            var c = StarkProtocol.drawDeepCoefficients(&t, air: airs[i], shape: shape.tables[i])
            if i != shape.traceOrder[0] { c.mask = .zero }
            return c
        }
    }

    /// The distinct positions of layer 0 to query, increasing.
    public static func drawQueries(_ t: inout Transcript, shape: BatchShape) -> [Int] {
        let drawn = try! t.queryIndices("queries", count: shape.parameters.queryCount, below: shape.ldeSize)
        return Array(Set(drawn)).sorted()
    }

    /// Absorbs every table's global shares.
    public static func absorbGlobalShares(_ t: inout Transcript, _ shares: [[Fp]]) {
        for s in shares where !s.isEmpty { t.absorb("global-shares", elements: s) }
    }
}

extension StarkProtocol {
    /// Whether no divisor or DEEP quotient of a proof of this shape divides by zero at `z`: z is off the trace
    /// domain, and neither z nor z·ω is on the committed domain.
    public static func isOutOfDomain(_ z: Fp, shape: StarkShape) -> Bool {
        let offsetPower = shape.domainOffset.power(UInt64(shape.ldeSize))
        let zw = z * shape.traceGenerator
        return z.power(UInt64(shape.traceLength)) != .one && z.power(UInt64(shape.ldeSize)) != offsetPower
            && zw.power(UInt64(shape.ldeSize)) != offsetPower
    }
}
