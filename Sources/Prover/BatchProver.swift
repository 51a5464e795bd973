import AIR
import FRI
import Field
import Hashing
import Proof

/// One table of a batch as the prover holds it: its circuit, its statement and its trace.
public struct BatchWitness: Sendable {
    public var statement: BatchStatement
    public var trace: TraceTable
    /// The secret seed its boundary columns are committed under, for a batch joined to others by global buses
    /// (see ``commitBoundary(air:trace:parameters:seed:)``); nil for fresh randomness.
    public var boundarySeed: Digest?

    public init(statement: BatchStatement, trace: TraceTable, boundarySeed: Digest? = nil) {
        self.statement = statement
        self.trace = trace
        self.boundarySeed = boundarySeed
    }
}

/// How a cheating batch prover departs from the protocol, for tests that must see each departure rejected
/// (``ProverOptions/_batchCheat``). With it the prover also sends FRI's remainder whatever the last layer's degree.
public struct BatchCheat: Sendable {
    /// Alters the bus shares (by table) after they are computed from the traces, before they are absorbed.
    public var shares: (@Sendable (inout [[Fp]]) -> Void)?
    /// Tables whose first composition segment at z is stated so that the out-of-domain check passes, whatever the
    /// committed segments hold.
    public var balanceOutOfDomain: Set<Int>
    /// The FRI layer table t's DEEP composition is added at, given the layer of its shape (a packing table's trace
    /// layer); nil leaves it out. At a layer above its own, its values are lifted: position p there takes the value
    /// at p >> (difference).
    public var deepLayer: (@Sendable (_ table: Int, _ layer: Int) -> Int?)?
    /// Alters the functions added into FRI (by layer) before FRI commits.
    public var injections: (@Sendable (inout [Int: [Fp]]) -> Void)?
    /// For a packing table: a constant c put in the first missing place of every group short of k columns, so each
    /// such committed polynomial gains c·X^len, of degree below its bound.
    public var packedGap: Fp?
    /// For a packing table: a constant c put in every padded place of its composition segments' last group, so that
    /// committed polynomial gains c·X^j for each such place j; c is added into the table's DEEP composition as well,
    /// as an honest prover would for a segment that held c.
    public var compositionGap: Fp?

    public init(
        shares: (@Sendable (inout [[Fp]]) -> Void)? = nil, balanceOutOfDomain: Set<Int> = [],
        deepLayer: (@Sendable (_ table: Int, _ layer: Int) -> Int?)? = nil,
        injections: (@Sendable (inout [Int: [Fp]]) -> Void)? = nil, packedGap: Fp? = nil,
        compositionGap: Fp? = nil
    ) {
        self.packedGap = packedGap
        self.compositionGap = compositionGap
        self.shares = shares
        self.balanceOutOfDomain = balanceOutOfDomain
        self.deepLayer = deepLayer
        self.injections = injections
    }
}

/// Proves that every table's trace satisfies its AIR for its statement, and that the buses the tables share
/// balance: one proof, each table at its own height (see ``BatchShape``).
///
/// `global` joins the batch to other proofs by global buses, as for a proof of one table. A batch that is the only
/// proof of its statement needs no commitment of its boundary columns before the others': with
/// `globalFromMainRoot` it commits them with its main columns, one commitment fewer, and draws its joint context
/// from that root (`global` is then nil). ``verifyBatch(_:statements:global:globalFromMainRoot:policy:)`` takes the
/// same function, which must draw the challenges from a transcript that has absorbed the root.
///
/// `boundary`, when given, is this batch's boundary commitment as ``batchBoundaryCommitment(airs:logTraceLengths:
/// boundaryColumns:parameters:seeds:)`` made it from the same boundary columns and seeds, taken up instead of being
/// made again; only its shape and seeds are checked against the witnesses.
public func proveBatch(
    _ handed: consuming [BatchWitness], global given: GlobalContext? = nil,
    globalFromMainRoot: ((Digest) -> GlobalContext)? = nil, options: ProverOptions,
    boundary kept: BatchBoundaryCommitment? = nil
) throws(ProverError) -> BatchProof {
    // Owned here, so that a main trace that is no longer read can be freed (step 2).
    var witnesses = consume handed
    let alone = globalFromMainRoot != nil
    guard !alone || (given == nil && kept == nil) else {
        throw .invalidWitness("a batch proven alone draws its joint context from its main root; none is given")
    }
    let parameters = options.parameters
    var random = MaskRandomness()
    var phases = PhaseClock(report: options.progress)

    // MARK: - 0. Derive every size

    guard !witnesses.isEmpty else { throw .invalidWitness("a batch needs at least one table") }
    // Each table commits with its height's packing (``AIR/forTable(logRows:)``).
    let airs = witnesses.map { $0.statement.air.forTable(logRows: $0.trace.logRowCount) }
    for w in witnesses {
        _ = try checkWitness(
            air: w.statement.air, trace: w.trace, publicInputs: w.statement.publicInputs, parameters: parameters)
        guard w.statement.air.globalBuses.isEmpty || alone
            || given?.challenges.count == 2 * w.statement.air.globalBuses.count
        else {
            throw .invalidWitness("'\(w.statement.air.name)' has global buses; their joint challenges are needed")
        }
    }
    let heights = witnesses.map(\.trace.logRowCount)
    let shape: BatchShape
    do { shape = try BatchShape(airs: airs, parameters: parameters, logTraceLengths: heights) } catch {
        throw .shape(error)
    }
    if let problem = BatchProtocol.sharedBusProblem(airs) { throw .invalidWitness(problem) }
    let shared = BatchProtocol.sharedBuses(airs)
    let ldes = shape.tables.map { LowDegreeExtension(shape: $0) }
    let packers = airs.indices.map { t in
        packer(t, shape: shape, lde: ldes[t]).map { p in
            var p = p
            p._gap = options._batchCheat?.packedGap
            p._compositionGap = options._batchCheat?.compositionGap
            return p
        }
    }
    var transcript = BatchProtocol.startTranscript(
        statements: witnesses.map(\.statement), parameters: parameters, logTraceLengths: heights)
    let traceOrder = shape.traceOrder

    phases.end("set up")

    // MARK: - 1. Commit to the boundary columns, state the global shares, commit to the main traces
    //
    // Alone (`globalFromMainRoot`), the boundary columns go into the main commitment and the shares follow it.

    // By table; each commitment lists its tables in commitment order.
    if let kept, kept.shape != shape || kept.seeds != witnesses.map(\.boundarySeed) {
        throw .invalidWitness("the boundary commitment given was made for another batch")
    }
    let firstBoundary = traceOrder.first { airs[$0].boundaryColumnCount > 0 }
    let boundaries = airs.indices.map { t -> (columns: ExtendedColumns, tree: MerkleTree?)? in
        let b = airs[t].boundaryColumnCount
        guard b > 0 else { return nil }
        // Alone, the boundary columns are committed with the main ones, below.
        if alone { return (ldes[t].extend(Array(witnesses[t].trace.columns.prefix(b)), random: &random), nil) }
        let part =
            kept?.parts[t]
            ?? extendBoundary(
                witnesses[t].trace, count: b, lde: ldes[t], packer: packers[t], seed: witnesses[t].boundarySeed,
                salted: t == firstBoundary)
        return (part.columns, part.tree)
    }
    let boundaryTrees = traceOrder.compactMap { boundaries[$0]?.tree }
    let boundaryTree = boundaryTrees.isEmpty ? nil : try! MixedMerkleTree(classes: boundaryTrees)
    func shares(_ global: GlobalContext?) throws(ProverError) -> [[Fp]] {
        var shares: [[Fp]] = []
        for (t, w) in witnesses.enumerated() {
            do {
                shares.append(
                    try global.map { g throws(AIRError) in
                        try airs[t].globalShares(
                            main: w.trace, publicInputs: w.statement.publicInputs,
                            challenges: StarkProtocol.globalChallengeVector(air: airs[t], global: g))
                    } ?? [])
            } catch { throw .unluckyChallenge("\(error)") }
        }
        return shares
    }
    var globalShares: [[Fp]] = []
    if !alone {
        globalShares = try shares(given)
        if let given { transcript.absorb("global-binding", digest: given.binding) }
        if let boundaryTree { transcript.absorb("boundary-root", digest: boundaryTree.root) }
        BatchProtocol.absorbGlobalShares(&transcript, globalShares)
    }

    var mains: [ExtendedColumns?] = Array(repeating: nil, count: airs.count)
    var mainTrees: [MerkleTree] = []
    for t in traceOrder {
        let columns = Array(witnesses[t].trace.columns[airs[t].boundaryColumnCount...])
        let extended = ldes[t].extend(columns, memoryLimit: options.mainExtensionMemoryLimit, random: &random)
        mains[t] = extended
        if alone, let boundary = boundaries[t]?.columns {
            let parts = columns.isEmpty ? [boundary] : [boundary, extended]
            mainTrees.append(
                ldes[t].commit(joined: parts, packer: packers[t], salts: ldes[t].salts(tallest: mainTrees.isEmpty)))
        } else if !columns.isEmpty {
            mainTrees.append(
                ldes[t].commit(extended, packer: packers[t], salts: ldes[t].salts(tallest: mainTrees.isEmpty)))
        }
    }
    let mainTree = try! MixedMerkleTree(classes: mainTrees)
    // Alone, the joint context is drawn from the main root, and the shares follow from it.
    let global = globalFromMainRoot.map { $0(mainTree.root) } ?? given
    if alone {
        globalShares = try shares(global)
        if let global { transcript.absorb("global-binding", digest: global.binding) }
        BatchProtocol.absorbGlobalShares(&transcript, globalShares)
    }
    transcript.absorb("main-root", digest: mainTree.root)

    phases.end("commit the main traces")

    // MARK: - 2. Build and commit the auxiliary (LogUp) columns; state the shares of the shared buses

    let challenges = BatchProtocol.drawChallenges(&transcript, airs: airs, global: global)
    var auxColumns: [[[Fp]]] = []
    var busShares: [[Fp]] = []
    for (t, w) in witnesses.enumerated() {
        do {
            let (columns, shares) = try airs[t].buildAuxiliaryColumns(
                main: w.trace, publicInputs: w.statement.publicInputs, challenges: challenges[t], sharesOf: shared[t])
            auxColumns.append(columns)
            busShares.append(shares)
        } catch { throw .unluckyChallenge("\(error)") }
    }
    options._batchCheat?.shares?(&busShares)
    func sharedShares(_ t: Int) -> [Int: Fp] { Dictionary(uniqueKeysWithValues: zip(shared[t], busShares[t])) }
    var busPublicSums: [[Fp]] = []
    for (t, w) in witnesses.enumerated() {
        do {
            busPublicSums.append(
                try airs[t].busPublicSums(
                    w.statement.publicBusEntries, challenges: challenges[t], globalShares: globalShares[t],
                    sharedShares: sharedShares(t)))
        } catch { throw .unluckyChallenge("\(error)") }
    }
    phases.end("build the auxiliary columns")

    // The tables' shares of each shared bus must cancel, or no proof can verify. Each table's constraints are
    // checked row by row only if its composition polynomial comes out too large (step 3): that costs a pass over
    // the trace, and a trace that satisfies them makes the division exact anyway.
    if !options._skipConstraintCheck {
        var totals: [String: Fp] = [:]
        for t in airs.indices {
            for (b, share) in zip(shared[t], busShares[t]) { totals[airs[t].buses[b].name, default: .zero] += share }
        }
        if let (name, _) = totals.first(where: { !$0.value.isZero }) {
            throw .invalidWitness("the tables' shares of bus '\(name)' do not cancel: the bus does not balance")
        }
    }

    // A table whose main columns are computed a coset at a time keeps their coefficients, and the out-of-domain
    // values and the DEEP composition read those: its main trace is not read again, and goes (from memory too, when
    // the caller handed the witnesses over). Its boundary columns stay.
    for t in airs.indices where mains[t]?.coefficients != nil {
        witnesses[t].trace.columns.removeSubrange(airs[t].boundaryColumnCount...)
    }

    var auxes: [ExtendedColumns?] = Array(repeating: nil, count: airs.count)
    var auxTrees: [MerkleTree] = []
    for t in traceOrder {
        let extended = ldes[t].extend(auxColumns[t], random: &random)
        auxes[t] = extended
        if !auxColumns[t].isEmpty {
            auxTrees.append(ldes[t].commit(extended, packer: packers[t], salts: ldes[t].salts(tallest: auxTrees.isEmpty)))
        }
    }
    let auxTree = auxTrees.isEmpty ? nil : try! MixedMerkleTree(classes: auxTrees)
    if let auxTree { transcript.absorb("aux-root", digest: auxTree.root) }
    for t in airs.indices where !busShares[t].isEmpty { transcript.absorb("bus-shares", elements: busShares[t]) }

    phases.end("commit the auxiliary columns")

    // MARK: - 3. Each table's composition polynomial, split; one commitment for all

    var gammas: [[Fp]] = []
    for air in airs { gammas.append(transcript.challenges("composition", count: air.constraints.count)) }
    var segments: [[[Fp]]] = Array(repeating: [], count: airs.count)
    var compositionColumns: [[[Fp]]] = Array(repeating: [], count: airs.count)
    var compositionTrees: [MerkleTree] = []
    for t in traceOrder {
        let tableShape = shape.tables[t]
        let n = tableShape.traceLength
        var (coefficients, exceeds) = CompositionBuilder(air: airs[t], shape: tableShape).coefficients(
            boundary: boundaries[t]?.columns, main: mains[t]!, aux: auxes[t]!,
            publicInputs: witnesses[t].statement.publicInputs, challenges: challenges[t],
            busPublicSums: busPublicSums[t], gammas: gammas[t])
        if exceeds || coefficients[tableShape.compositionDegreeBound...].contains(where: { !$0.isZero }) {
            // Only a trace that breaks a constraint gets here; a cheating prover carries on with a wrong quotient.
            if !options._skipConstraintCheck {
                let failures: [ConstraintFailure]
                do {
                    // A main trace that went is computed again from its coefficients.
                    let trace =
                        try mains[t]!.traceValues().map { try TraceTable(columns: witnesses[t].trace.columns + $0) }
                        ?? witnesses[t].trace
                    failures = try airs[t].check(
                        trace: trace, publicInputs: witnesses[t].statement.publicInputs,
                        challenges: challenges[t], publicBusEntries: witnesses[t].statement.publicBusEntries,
                        globalShares: globalShares[t], sharedShares: sharedShares(t), auxiliary: auxColumns[t])
                } catch { throw .invalidWitness("\(error)") }
                guard failures.isEmpty else { throw .constraintsNotSatisfied(failures) }
                throw .internalInconsistency("table \(t)'s composition polynomial exceeds its degree bound")
            }
        }
        coefficients = Array(coefficients.prefix(tableShape.segmentCount * n))
        coefficients += [Fp](repeating: .zero, count: tableShape.segmentCount * n - coefficients.count)
        var split = splitAndMask(coefficients, shape: tableShape, random: &random)
        // FRI's masking polynomial rides with the first table of the trace commitments, on layer 0, uniformly
        // random up to layer 0's whole degree bound; the others need none of their own. A packing table's is
        // Σ_j X^j·R_j(X^k), its k parts committed here.
        if parameters.zeroKnowledge {
            split.removeLast()
            if t == traceOrder[0] {
                let k = shape.packings[t]
                let length = (shape.friDegreeBound + k - 1) / k
                for _ in 0..<k { split.append((0..<length).map { _ in Fp.random(using: &random) }) }
            }
        }
        segments[t] = split
        compositionColumns[t] = ldes[t].evaluateSegments(split)
        // A packing table's segments are packed k to a polynomial on its trace layer, as its columns are.
        let salts = ldes[t].salts(tallest: compositionTrees.isEmpty)
        compositionTrees.append(
            packers[t]?.commitComposition(
                compositionColumns[t], segmentCount: tableShape.segmentCount, lde: ldes[t], salts: salts)
                ?? ldes[t].commitSegments(compositionColumns[t], salts: salts))
    }
    let compositionTree = try! MixedMerkleTree(classes: compositionTrees)
    transcript.absorb("composition-root", digest: compositionTree.root)

    phases.end("commit the composition polynomials")

    // MARK: - 4. Out-of-domain values of every table at z and z·ω_t

    let z = BatchProtocol.drawOutOfDomainPoint(&transcript, shape: shape)
    var traces: [[[Fp]]] = []
    var masks: [[[Fp]]] = []
    var nextRowColumns: [[Int]] = []
    var coefficientColumns: [Set<Int>] = []
    var ood: [OutOfDomainValues] = []
    for t in airs.indices {
        let air = airs[t]
        let tableShape = shape.tables[t]
        // A main trace that went is read from its coefficients.
        let fromCoefficients = mains[t]!.coefficients
        let columns = witnesses[t].trace.columns + (fromCoefficients ?? []) + auxColumns[t]
        let given = fromCoefficients.map { Set(air.boundaryColumnCount..<air.boundaryColumnCount + $0.count) } ?? []
        let boundaryMasks = boundaries[t]?.columns.masks ?? []
        let columnMasks = boundaryMasks + mains[t]!.masks + auxes[t]!.masks
        let mainCount = air.mainColumns.count
        let next = air.openedNextMainColumns + air.openedNextAuxColumns.map { $0 + mainCount }
        let zNext = z * tableShape.traceGenerator
        let atZ = ldes[t].evaluate(
            traces: columns, masks: columnMasks, indices: Array(columns.indices), at: z, coefficientColumns: given)
        let atZNext = ldes[t].evaluate(
            traces: columns, masks: columnMasks, indices: next, at: zNext, coefficientColumns: given)
        var values = OutOfDomainValues(
            main: Array(atZ[..<mainCount]), mainNext: Array(atZNext[..<air.openedNextMainColumns.count]),
            aux: Array(atZ[mainCount...]), auxNext: Array(atZNext[air.openedNextMainColumns.count...]),
            composition: segments[t].prefix(tableShape.segmentCount).map { Polynomial(coefficients: $0).evaluate(at: z) })
        if options._batchCheat?.balanceOutOfDomain.contains(t) == true {
            // H_0(z) := C(z) − Σ_{i ≥ 1} z^(i·n)·H_i(z): the check at z passes, and H_0's DEEP quotient has a pole.
            let expected = StarkProtocol.compositionAtOutOfDomainPoint(
                air: air, ood: values, z: z, shape: tableShape, publicInputs: witnesses[t].statement.publicInputs,
                challenges: challenges[t], busPublicSums: busPublicSums[t], gammas: gammas[t])
            values.composition[0] = .zero
            values.composition[0] = expected - StarkProtocol.compositionFromSegments(values, z: z, shape: tableShape)
        }
        StarkProtocol.absorb(values, into: &transcript)
        traces.append(columns)
        masks.append(columnMasks)
        coefficientColumns.append(given)
        nextRowColumns.append(next)
        ood.append(values)
    }

    phases.end("out-of-domain evaluations")

    // MARK: - 5. DEEP composition of every table, on its trace layer

    let deep = BatchProtocol.drawDeepCoefficients(&transcript, airs: airs, shape: shape)
    var layer0 = [Fp](repeating: .zero, count: shape.ldeSize)
    var injections: [Int: [Fp]] = [:]
    // A DEEP composition computed on layer `own`, added into FRI there (or where a cheating test moves it, its
    // values lifted to the larger layer).
    func inject(_ t: Int, _ values: [Fp], layer own: Int) {
        var s = own
        var lifted = values
        if let cheat = options._batchCheat?.deepLayer {
            guard let chosen = cheat(t, own) else { return }
            s = chosen
            lifted = (0..<(shape.ldeSize >> s)).map { values[$0 >> (own - s)] }
        }
        if s == 0 {
            for i in layer0.indices { layer0[i] += lifted[i] }
        } else {
            var sum = injections[s] ?? [Fp](repeating: .zero, count: lifted.count)
            for i in sum.indices { sum[i] += lifted[i] }
            injections[s] = sum
        }
    }
    for t in traceOrder {
        if let packer = packers[t] {
            let segmentCount = shape.tables[t].segmentCount
            let masked = parameters.zeroKnowledge && t == traceOrder[0]
            inject(
                t,
                packer.deepComposition(
                    air: airs[t], lde: ldes[t], traces: traces[t], masks: masks[t],
                    segments: Array(segments[t][..<segmentCount]), ood: ood[t], coefficients: deep[t], z: z,
                    fri: masked ? (deep[t].mask, Array(segments[t][segmentCount...])) : nil,
                    coefficientColumns: coefficientColumns[t]),
                layer: shape.traceLayers[t])
        } else {
            inject(
                t,
                ldes[t].deepComposition(
                    traces: traces[t], masks: masks[t], composition: compositionColumns[t], ood: ood[t],
                    coefficients: deep[t], z: z, zNext: z * shape.tables[t].traceGenerator,
                    nextRowColumns: nextRowColumns[t], coefficientColumns: coefficientColumns[t]),
                layer: shape.layers[t])
        }
    }
    options._batchCheat?.injections?(&injections)
    options._alterLayer0?(&layer0)

    phases.end("DEEP composition")

    // MARK: - 6. FRI: layer 0, and each shorter table's DEEP composition added in where the folding reaches it

    let logLDE = shape.ldeSize.trailingZeroBitCount
    let fri: FRIProverState
    do {
        fri = try FRIProverState(
            layer0: layer0, offset: StarkProtocol.domainOffset, logArities: shape.logArities,
            injections: injections.keys.sorted().map { FRIInjection(logSize: logLDE - $0, values: injections[$0]!) },
            remainderLength: shape.remainderLength, salted: StarkProtocol.friLayersSalted, transcript: &transcript,
            _truncateRemainder: options._batchCheat != nil)
    } catch {
        guard options._skipConstraintCheck else { throw .internalInconsistency("FRI's last layer exceeds its degree") }
        throw .invalidWitness("a cheating trace broke the FRI degree bound: \(error)")
    }

    phases.end("FRI commit phase")

    // MARK: - 7. Proof of work

    let nonce = transcript.grind(bits: parameters.grindingBits)

    // MARK: - 8. Queries: every table at the position its layer gives the query

    let queries = BatchProtocol.drawQueries(&transcript, shape: shape)
    func rows(_ columns: (Int) -> ExtendedColumns?, classes: [Int]) -> [Int: [Int: [Fp]]] {
        var out: [Int: [Int: [Fp]]] = [:]
        for t in classes {
            let positions = shape.tracePositions(of: t, queries: queries)
            out[t] = packers[t]?.rows(columns(t)!, at: positions) ?? columns(t)!.rows(at: positions)
        }
        return out
    }
    let boundaryTables = traceOrder.filter { airs[$0].boundaryColumnCount > 0 }
    let ownMainTables = traceOrder.filter { airs[$0].mainColumns.count > airs[$0].boundaryColumnCount }
    let auxTables = traceOrder.filter { !airs[$0].auxColumns.isEmpty }
    let boundaryRows = rows({ boundaries[$0]?.columns }, classes: boundaryTables)
    var mainRows = rows({ mains[$0] }, classes: ownMainTables)
    // Alone, a table's main rows hold its boundary columns first.
    let mainTables = alone ? traceOrder.filter { !airs[$0].mainColumns.isEmpty } : ownMainTables
    if alone {
        for t in boundaryTables {
            for (p, row) in boundaryRows[t]! { mainRows[t, default: [:]][p] = row + (mainRows[t]?[p] ?? []) }
        }
    }
    let auxRows = rows({ auxes[$0] }, classes: auxTables)
    var packedCompositionRows: [Int: [Int: [Fp]]] = [:]
    for t in traceOrder {
        guard let packer = packers[t] else { continue }
        packedCompositionRows[t] = packer.compositionRows(
            compositionColumns[t], segmentCount: shape.tables[t].segmentCount,
            at: shape.tracePositions(of: t, queries: queries))
    }
    // A commitment whose tallest table is shorter than layer 0 (the boundary's, say) is opened where the queries
    // fall in that table.
    func indices(_ tree: MixedMerkleTree) -> [Int] {
        let shift = shape.ldeSize.trailingZeroBitCount - tree.leafCounts[0].trailingZeroBitCount
        return queries.map { $0 >> shift }
    }
    defer { phases.end("queries") }
    return BatchProof(
        version: StarkProtocol.version, parameters: parameters,
        tables: airs.indices.map { t in
            BatchTablePart(
                circuitDigest: StarkProtocol.circuitDigest(of: airs[t]), logTraceLength: shape.tables[t].logTraceLength,
                publicInputs: witnesses[t].statement.publicInputs, globalShares: globalShares[t],
                busShares: busShares[t], outOfDomain: ood[t])
        },
        boundaryRoot: boundaryTree?.root, mainRoot: mainTree.root, auxRoot: auxTree?.root,
        compositionRoot: compositionTree.root, friRoots: fri.roots, remainder: fri.remainder, proofOfWorkNonce: nonce,
        boundaryOpening: boundaryTree.map { tree in
            try! tree.open(indices(tree)) { c, i in boundaryRows[boundaryTables[c]]![i]! }
        },
        mainOpening: try! mainTree.open(indices(mainTree)) { c, i in mainRows[mainTables[c]]![i]! },
        auxOpening: try! auxTree.map { tree in try tree.open(indices(tree)) { c, i in auxRows[auxTables[c]]![i]! } },
        compositionOpening: try! compositionTree.open(indices(compositionTree)) { c, i in
            let t = traceOrder[c]
            return packedCompositionRows[t]?[i] ?? LowDegreeExtension.row(i, of: compositionColumns[t])
        },
        friOpenings: fri.open(queries: queries))
}

/// The root a batch proof of these tables commits their boundary columns to: the first half of a batch joined to
/// other proofs by global buses, made for every proof before the global challenges can be drawn.
/// ``proveBatch(_:global:globalFromMainRoot:options:boundary:)`` commits to the same root with the same seeds.
public func commitBatchBoundary(
    airs: [AIR], logTraceLengths: [Int], boundaryColumns: [[[Fp]]?], parameters: ProofParameters, seeds: [Digest?]
) throws(ProverError) -> Digest {
    try batchBoundaryCommitment(
        airs: airs, logTraceLengths: logTraceLengths, boundaryColumns: boundaryColumns, parameters: parameters,
        seeds: seeds
    ).root
}

/// A batch's boundary commitment kept whole, its extended columns and trees with its root, for
/// ``proveBatch(_:global:globalFromMainRoot:options:boundary:)`` to take up rather than make again. It holds the
/// columns' masks and salts: keep it as secret as the witness.
public struct BatchBoundaryCommitment {
    /// The root, as ``commitBatchBoundary(airs:logTraceLengths:boundaryColumns:parameters:seeds:)`` gives it.
    public let root: Digest
    let shape: BatchShape
    let seeds: [Digest?]
    let parts: [Int: (columns: ExtendedColumns, tree: MerkleTree)]
}

/// ``commitBatchBoundary(airs:logTraceLengths:boundaryColumns:parameters:seeds:)``, keeping what it makes.
public func batchBoundaryCommitment(
    airs: [AIR], logTraceLengths: [Int], boundaryColumns: [[[Fp]]?], parameters: ProofParameters, seeds: [Digest?]
) throws(ProverError) -> BatchBoundaryCommitment {
    guard airs.count == logTraceLengths.count, airs.count == boundaryColumns.count, airs.count == seeds.count else {
        throw .invalidWitness("one height, boundary and seed per table are needed")
    }
    let airs = airs.indices.map { airs[$0].forTable(logRows: logTraceLengths[$0]) }
    let shape: BatchShape
    do { shape = try BatchShape(airs: airs, parameters: parameters, logTraceLengths: logTraceLengths) } catch {
        throw .shape(error)
    }
    var parts: [Int: (columns: ExtendedColumns, tree: MerkleTree)] = [:]
    var trees: [MerkleTree] = []
    for t in shape.traceOrder where airs[t].boundaryColumnCount > 0 {
        guard let columns = boundaryColumns[t], columns.count == airs[t].boundaryColumnCount,
            columns.allSatisfy({ $0.count == 1 << logTraceLengths[t] })
        else {
            throw .invalidWitness("table \(t) needs its \(airs[t].boundaryColumnCount) boundary columns")
        }
        let table: TraceTable
        do { table = try TraceTable(columns: columns) } catch { throw .invalidWitness("\(error)") }
        let lde = LowDegreeExtension(shape: shape.tables[t])
        let part = extendBoundary(
            table, count: airs[t].boundaryColumnCount, lde: lde, packer: packer(t, shape: shape, lde: lde),
            seed: seeds[t], salted: trees.isEmpty)
        parts[t] = part
        trees.append(part.tree)
    }
    guard !trees.isEmpty else { throw .invalidWitness("no table of the batch has boundary columns") }
    return BatchBoundaryCommitment(
        root: try! MixedMerkleTree(classes: trees).root, shape: shape, seeds: seeds, parts: parts)
}
