import AIR
import FRI
import Field
import Hashing
import Proof

/// Checks that `proof` shows, for each of `statements` in order, a trace satisfying its AIR for its public inputs,
/// and that the buses the tables share balance, under the verifier's own policy. Returns normally when the proof is
/// accepted.
///
/// For tables with global buses, `global` is the joint context of the proofs the batch is joined with; whoever
/// joins them checks that the tables' stated global shares balance, as for proofs of one table. A batch proven
/// alone (``proveBatch(_:global:globalFromMainRoot:options:boundary:)``) has its boundary columns in its main
/// commitment and no boundary commitment; `globalFromMainRoot` gives its joint context from its main root, and
/// `global` is then nil. Which of the two a proof must be is the caller's to say, never the proof's, and
/// `globalFromMainRoot` must draw the challenges from a transcript that has absorbed the root it is given (as
/// `StarkProtocol.globalContext` does): a context that ignores the root would let a prover choose its boundary
/// columns after the challenges.
public func verifyBatch(
    _ proof: BatchProof, statements: [BatchStatement], global given: GlobalContext? = nil,
    globalFromMainRoot: ((Digest) -> GlobalContext)? = nil, policy: VerifierPolicy = .default
) throws(VerifierError) {
    let alone = globalFromMainRoot != nil
    guard !alone || given == nil else {
        throw .statementMismatch("a batch proven alone draws its joint context from its main root; none is given")
    }
    let parameters = proof.parameters

    // MARK: - 0. Identity, policy, statement and shape

    guard proof.version == StarkProtocol.version else {
        throw .unsupportedVersion(found: proof.version, supported: StarkProtocol.version)
    }
    guard !statements.isEmpty, proof.tables.count == statements.count else {
        throw .malformedProof("the proof holds \(proof.tables.count) tables; expected \(statements.count)")
    }
    // Each table commits with its height's packing (``AIR/forTable(logRows:)``); the height is checked below.
    let airs = statements.indices.map { statements[$0].air.forTable(logRows: proof.tables[$0].logTraceLength) }
    for (t, air) in airs.enumerated() {
        let digest = StarkProtocol.circuitDigest(of: air)
        guard proof.tables[t].circuitDigest == digest else {
            throw .circuitMismatch(expected: digest, found: proof.tables[t].circuitDigest)
        }
    }
    let shape: BatchShape
    do {
        shape = try BatchShape(airs: airs, parameters: parameters, logTraceLengths: proof.tables.map(\.logTraceLength))
    } catch { throw .malformedProof("\(error)") }
    let provenBits = shape.security(airs: airs).provenBits
    guard provenBits >= policy.minimumProvenBits else {
        throw .parametersRefused(provenBits: provenBits, required: policy.minimumProvenBits)
    }
    for (t, s) in statements.enumerated() where proof.tables[t].publicInputs != s.publicInputs {
        throw .statementMismatch("table \(t)'s public inputs differ from the expected ones")
    }
    if let problem = BatchProtocol.sharedBusProblem(airs) { throw .statementMismatch(problem) }
    let shared = BatchProtocol.sharedBuses(airs)
    try checkStructure(proof, airs: airs, shape: shape, shared: shared, alone: alone)
    let global = globalFromMainRoot.map { $0(proof.mainRoot) } ?? given
    for air in airs where !(air.globalBuses.isEmpty || global?.challenges.count == 2 * air.globalBuses.count) {
        throw .statementMismatch("'\(air.name)' has global buses; a proof of it is checked only with its joint challenges")
    }
    let traceOrder = shape.traceOrder
    var transcript = BatchProtocol.startTranscript(
        statements: statements, parameters: parameters, logTraceLengths: proof.tables.map(\.logTraceLength))

    // MARK: - 1. Boundary commitment, global shares, main commitment

    if let global { transcript.absorb("global-binding", digest: global.binding) }
    if let boundaryRoot = proof.boundaryRoot { transcript.absorb("boundary-root", digest: boundaryRoot) }
    BatchProtocol.absorbGlobalShares(&transcript, proof.tables.map(\.globalShares))
    transcript.absorb("main-root", digest: proof.mainRoot)

    // MARK: - 2. Auxiliary challenges and commitment, the shares of the shared buses

    let challenges = BatchProtocol.drawChallenges(&transcript, airs: airs, global: global)
    if let auxRoot = proof.auxRoot { transcript.absorb("aux-root", digest: auxRoot) }
    for part in proof.tables where !part.busShares.isEmpty { transcript.absorb("bus-shares", elements: part.busShares) }
    var totals: [String: Fp] = [:]
    for t in airs.indices {
        for (b, share) in zip(shared[t], proof.tables[t].busShares) {
            totals[airs[t].buses[b].name, default: .zero] += share
        }
    }
    if let (name, _) = totals.sorted(by: { $0.key < $1.key }).first(where: { !$0.value.isZero }) {
        throw .statementMismatch("the tables' shares of bus '\(name)' do not cancel: the bus does not balance")
    }

    // MARK: - 3. Composition coefficients and commitment

    var busPublicSums: [[Fp]] = []
    for t in airs.indices {
        do {
            busPublicSums.append(
                try airs[t].busPublicSums(
                    statements[t].publicBusEntries, challenges: challenges[t], globalShares: proof.tables[t].globalShares,
                    sharedShares: Dictionary(uniqueKeysWithValues: zip(shared[t], proof.tables[t].busShares))))
        } catch { throw .statementMismatch("\(error)") }
    }
    var gammas: [[Fp]] = []
    for air in airs { gammas.append(transcript.challenges("composition", count: air.constraints.count)) }
    transcript.absorb("composition-root", digest: proof.compositionRoot)

    // MARK: - 4. Out-of-domain consistency of every table

    let z = BatchProtocol.drawOutOfDomainPoint(&transcript, shape: shape)
    for t in airs.indices {
        let ood = proof.tables[t].outOfDomain
        let expected = StarkProtocol.compositionAtOutOfDomainPoint(
            air: airs[t], ood: ood, z: z, shape: shape.tables[t], publicInputs: statements[t].publicInputs,
            challenges: challenges[t], busPublicSums: busPublicSums[t], gammas: gammas[t])
        guard StarkProtocol.compositionFromSegments(ood, z: z, shape: shape.tables[t]) == expected else {
            throw .outOfDomainMismatch
        }
        StarkProtocol.absorb(ood, into: &transcript)
    }

    // MARK: - 5. DEEP coefficients

    let deep = BatchProtocol.drawDeepCoefficients(&transcript, airs: airs, shape: shape)

    // MARK: - 6. FRI commitments

    var betas: [Fp] = []
    for root in proof.friRoots {
        transcript.absorb("fri-root", digest: root)
        betas.append(transcript.challenge("fri-fold"))
    }
    transcript.absorb("fri-remainder", elements: proof.remainder)

    // MARK: - 7. Proof of work

    do { try transcript.verifyProofOfWork(bits: parameters.grindingBits, nonce: proof.proofOfWorkNonce) } catch {
        throw .proofOfWork
    }

    // MARK: - 8. Queries: open every commitment, compute each table's DEEP value, run FRI's checks

    let queries = BatchProtocol.drawQueries(&transcript, shape: shape)
    /// The opened rows of the tables in `classes`, by table.
    func open(
        _ name: String, _ opening: MixedMerkleOpening, _ root: Digest, classes: [Int], width: (Int) -> Int
    ) throws(VerifierError) -> [Int: [[Fp]]] {
        let rows: [[[Fp]]]
        // A commitment whose tallest table is shorter than layer 0 is opened where the queries fall in that table;
        // a packing table's commitments are on its trace layer, k times its columns' domain.
        let leafCounts = classes.map { shape.tables[$0].ldeSize << shape.packings[$0].trailingZeroBitCount }
        let shift = shape.ldeSize.trailingZeroBitCount - (leafCounts.first ?? 1).trailingZeroBitCount
        do {
            rows = try opening.verify(
                root: root, leafCounts: leafCounts, widths: classes.map(width),
                // Only the tallest class is salted (``MixedMerkleTree``).
                salted: classes.indices.map { $0 == 0 && parameters.zeroKnowledge }, indices: queries.map { $0 >> shift })
        } catch { throw .merkleOpening(commitment: name, error) }
        return Dictionary(uniqueKeysWithValues: zip(classes, rows))
    }
    let boundaryTables = traceOrder.filter { airs[$0].boundaryColumnCount > 0 }
    var boundaryRows: [Int: [[Fp]]] = [:]
    var mainRows: [Int: [[Fp]]]
    if alone {
        // The boundary columns' groups come first in each table's main rows, as in a row of every column below.
        let tables = traceOrder.filter { !airs[$0].mainColumns.isEmpty }
        mainRows = try open("main trace", proof.mainOpening, proof.mainRoot, classes: tables) {
            airs[$0].committedBoundaryCount + airs[$0].committedMainCount
        }
    } else {
        let mainTables = traceOrder.filter { airs[$0].mainColumns.count > airs[$0].boundaryColumnCount }
        if let root = proof.boundaryRoot, let opening = proof.boundaryOpening {
            boundaryRows = try open("boundary", opening, root, classes: boundaryTables) {
                airs[$0].committedBoundaryCount
            }
        }
        mainRows = try open("main trace", proof.mainOpening, proof.mainRoot, classes: mainTables) {
            airs[$0].committedMainCount
        }
    }
    let auxTables = traceOrder.filter { !airs[$0].auxColumns.isEmpty }
    var auxRows: [Int: [[Fp]]] = [:]
    if let root = proof.auxRoot, let opening = proof.auxOpening {
        auxRows = try open("auxiliary trace", opening, root, classes: auxTables) { airs[$0].committedAuxCount }
    }
    // FRI's masking polynomial rides with the first table of the trace commitments, the last polynomial of its
    // composition commitment.
    let masked = { (t: Int) in parameters.zeroKnowledge && t == traceOrder[0] }
    let compositionRows = try open(
        "composition", proof.compositionOpening, proof.compositionRoot, classes: traceOrder
    ) { shape.committedCompositionCount($0, air: airs[$0]) }

    // Each table's DEEP value at its positions; layer 0 adds the layer-0 tables', each later layer the others'.
    let logLDE = shape.ldeSize.trailingZeroBitCount
    var layer0 = [Fp](repeating: .zero, count: queries.count)
    var injected: [Int: [Fp]] = [:]
    func inject(_ values: [Fp], layer s: Int) {
        if s == 0 {
            for j in values.indices { layer0[j] += values[j] }
        } else {
            var sum = injected[s] ?? [Fp](repeating: .zero, count: values.count)
            for j in values.indices { sum[j] += values[j] }
            injected[s] = sum
        }
    }
    for t in traceOrder {
        let tableShape = shape.tables[t]
        let ps = shape.positions(of: t, queries: queries)
        func row(_ k: Int) -> [Fp] {
            (boundaryRows[t]?[k] ?? []) + (mainRows[t]?[k] ?? []) + (auxRows[t]?[k] ?? [])
        }
        if shape.packings[t] > 1 {
            // Every commitment of a packing table is on its trace layer, and so is its DEEP composition.
            let xs = shape.tracePositions(of: t, queries: queries)
            let logK = shape.packings[t].trailingZeroBitCount
            inject(
                packedDeepValues(
                    rows: xs.indices.map(row), composition: compositionRows[t]!, positions: xs, masked: masked(t),
                    ood: proof.tables[t].outOfDomain, coefficients: deep[t], z: z, air: airs[t], shape: tableShape,
                    logSize: tableShape.ldeSize.trailingZeroBitCount + logK,
                    offset: StarkProtocol.domainOffset.power(UInt64(1) << UInt64(shape.traceLayers[t]))),
                layer: shape.traceLayers[t])
            continue
        }
        inject(
            deepValues(
                rows: ps.indices.map(row), composition: compositionRows[t]!, positions: ps,
                ood: proof.tables[t].outOfDomain, coefficients: deep[t], z: z, air: airs[t], shape: tableShape,
                masked: masked(t)),
            layer: shape.layers[t])
    }
    do {
        try FRIVerifier.verify(
            positions: queries, values: layer0, betas: betas, roots: proof.friRoots, openings: proof.friOpenings,
            remainder: proof.remainder, remainderLength: shape.remainderLength, ldeSize: shape.ldeSize,
            offset: StarkProtocol.domainOffset, logArities: shape.logArities,
            injected: injected.keys.sorted().map { s in
                let at = shape.positions(onLayer: s, queries: queries)
                return FRIInjectedValues(logSize: logLDE - s, values: Dictionary(uniqueKeysWithValues: zip(at, injected[s]!)))
            },
            salted: StarkProtocol.friLayersSalted)
    } catch { throw .fri(error) }
}

/// The DEEP composition of one table at its opened positions, from its opened trace rows (boundary, main and
/// auxiliary columns) and composition rows:
///
///     (A(x) − A(z))/(x − z) + (B(x) − B(zω))/(x − zω) + Σ_i α''_i (H_i(x) − H_i(z))/(x − z) + λ·R(x)
///
/// with A and B the DEEP coefficients' combinations of the columns and of the columns read on the next row.
func deepValues(
    rows: [[Fp]], composition: [[Fp]], positions: [Int], ood: OutOfDomainValues,
    coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, air: AIR, shape: StarkShape, masked: Bool
) -> [Fp] {
    let zNext = z * shape.traceGenerator
    let nextRowColumns = air.openedNextMainColumns + air.openedNextAuxColumns.map { $0 + air.mainColumns.count }
    var atZ = Fp.zero
    var atZNext = Fp.zero
    for (c, v) in (ood.main + ood.aux).enumerated() { atZ += deep.atZ[c] * v }
    for (c, v) in (ood.mainNext + ood.auxNext).enumerated() { atZNext += deep.atZNext[c] * v }
    for (i, v) in ood.composition.enumerated() { atZ += deep.segments[i] * v }
    let logSize = shape.ldeSize.trailingZeroBitCount
    let points = positions.map {
        Folding.point(position: $0, logSize: logSize, offset: shape.domainOffset, rootLogOrder: logSize)
    }
    let inverses = Fp.batchInverse(points.flatMap { [$0 - z, $0 - zNext] })
    return positions.indices.map { j in
        let trace = rows[j]
        var a = Fp.zero
        var b = Fp.zero
        for (c, v) in trace.enumerated() { a += deep.atZ[c] * v }
        for (k, c) in nextRowColumns.enumerated() { b += deep.atZNext[k] * trace[c] }
        for s in 0..<shape.segmentCount { a += deep.segments[s] * composition[j][s] }
        var value = (a - atZ) * inverses[2 * j] + (b - atZNext) * inverses[2 * j + 1]
        if masked { value += deep.mask * composition[j][shape.segmentCount] }
        return value
    }
}

/// A packing table's DEEP composition at trace-layer positions, from the opened packed rows (the committed groups:
/// boundary, main, auxiliary) and composition rows (the segments' groups, then FRI's masking polynomial R if the
/// table carries it):
///
///     (A(x) + Q(x) − Σ_j x^j·a_j)/(x^k − z) + (B(x) − Σ_j x^j·b_j)/(x^k − z·ω) (+ λ·R(x))
///
/// with A = Σ_g α_g·P_g over the groups, Q = Σ_h α''_h·Q_h over the segments' groups, a_j their stated values
/// combined (``StarkProtocol/packedOutOfDomainSums(air:ood:coefficients:)``), and B, b_j the same over the groups
/// read on the next row, at z·ω.
func packedDeepValues(
    rows: [[Fp]], composition: [[Fp]], positions: [Int], masked: Bool, ood: OutOfDomainValues,
    coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, air: AIR, shape: StarkShape, logSize: Int, offset: Fp
) -> [Fp] {
    let k = air.packing
    let groups = air.committedGroups
    let next = air.committedNextRowGroups
    let compositionGroups = deep.segments.count
    let zNext = z * shape.traceGenerator
    let (a, b) = StarkProtocol.packedOutOfDomainSums(air: air, ood: ood, coefficients: deep)
    let points = positions.map { Folding.point(position: $0, logSize: logSize, offset: offset, rootLogOrder: logSize) }
    let ys = points.map { $0.power(UInt64(k)) }
    let inverses = Fp.batchInverse(ys.flatMap { [$0 - z, $0 - zNext] })
    // Σ_j x^j·c_j by Horner's rule.
    func combine(_ c: [Fp], at x: Fp) -> Fp { c.reversed().reduce(Fp.zero) { $0 * x + $1 } }
    return positions.indices.map { i in
        let row = rows[i]
        var sumA = Fp.zero
        for g in groups.indices { sumA += deep.atZ[g] * row[g] }
        for h in 0..<compositionGroups { sumA += deep.segments[h] * composition[i][h] }
        var sumB = Fp.zero
        for (j, g) in next.enumerated() { sumB += deep.atZNext[j] * row[g] }
        let x = points[i]
        var value = (sumA - combine(a, at: x)) * inverses[2 * i] + (sumB - combine(b, at: x)) * inverses[2 * i + 1]
        if masked { value += deep.mask * composition[i][compositionGroups] }
        return value
    }
}

/// Checks that every list in the proof has the length the AIRs and the shape call for, before anything indexes it.
private func checkStructure(
    _ proof: BatchProof, airs: [AIR], shape: BatchShape, shared: [[Int]], alone: Bool
) throws(VerifierError) {
    func expect(_ what: String, _ found: Int, _ wanted: Int) throws(VerifierError) {
        guard found == wanted else { throw .malformedProof("\(what): \(found) values; expected \(wanted)") }
    }
    for (t, air) in airs.enumerated() {
        let part = proof.tables[t]
        let ood = part.outOfDomain
        try expect("table \(t): main columns at z", ood.main.count, air.mainColumns.count)
        try expect("table \(t): main columns at z·ω", ood.mainNext.count, air.openedNextMainColumns.count)
        try expect("table \(t): auxiliary columns at z", ood.aux.count, air.auxColumns.count)
        try expect("table \(t): auxiliary columns at z·ω", ood.auxNext.count, air.openedNextAuxColumns.count)
        try expect("table \(t): composition segments at z", ood.composition.count, shape.tables[t].segmentCount)
        try expect("table \(t): global shares", part.globalShares.count, air.globalBuses.count)
        try expect("table \(t): shares of shared buses", part.busShares.count, shared[t].count)
    }
    try expect("FRI layer roots", proof.friRoots.count, shape.logArities.count)
    try expect("FRI layer openings", proof.friOpenings.count, shape.logArities.count)
    try expect("remainder coefficients", proof.remainder.count, shape.remainderLength)
    // Alone, the boundary columns are in the main commitment.
    let boundary = !alone && airs.contains { $0.boundaryColumnCount > 0 }
    guard (proof.boundaryRoot != nil) == boundary, (proof.boundaryOpening != nil) == boundary else {
        throw .malformedProof(boundary ? "the boundary commitment is missing" : "an unexpected boundary commitment")
    }
    let aux = airs.contains { !$0.auxColumns.isEmpty }
    guard (proof.auxRoot != nil) == aux, (proof.auxOpening != nil) == aux else {
        throw .malformedProof(aux ? "the auxiliary commitment is missing" : "an unexpected auxiliary commitment")
    }
}
