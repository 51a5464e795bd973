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
/// joins them checks that the tables' stated global shares balance, as for proofs of one table.
public func verifyBatch(
    _ proof: BatchProof, statements: [BatchStatement], global: GlobalContext? = nil,
    policy: VerifierPolicy = .default
) throws(VerifierError) {
    let parameters = proof.parameters
    // Every table as committed (an interleaved AIR's committed form, ``AIR/committed``); the proof states the
    // heights as written.
    let statements = statements.map { s in
        var committed = s
        committed.air = s.air.committed
        return committed
    }
    let airs = statements.map(\.air)

    // MARK: - 0. Identity, policy, statement and shape

    guard proof.version == StarkProtocol.version else {
        throw .unsupportedVersion(found: proof.version, supported: StarkProtocol.version)
    }
    guard !statements.isEmpty, proof.tables.count == statements.count else {
        throw .malformedProof("the proof holds \(proof.tables.count) tables; expected \(statements.count)")
    }
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
    try checkStructure(proof, airs: airs, shape: shape, shared: shared)
    for air in airs where !(air.globalBuses.isEmpty || global?.challenges.count == 2 * air.globalBuses.count) {
        throw .statementMismatch("'\(air.name)' has global buses; a proof of it is checked only with its joint challenges")
    }
    let order = shape.order
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
        // A commitment whose tallest table is shorter than layer 0 is opened where the queries fall in that table.
        let leafCounts = classes.map { shape.tables[$0].ldeSize }
        let shift = shape.ldeSize.trailingZeroBitCount - (leafCounts.first ?? 1).trailingZeroBitCount
        do {
            rows = try opening.verify(
                root: root, leafCounts: leafCounts, widths: classes.map(width),
                salted: classes.map { _ in parameters.zeroKnowledge }, indices: queries.map { $0 >> shift })
        } catch { throw .merkleOpening(commitment: name, error) }
        return Dictionary(uniqueKeysWithValues: zip(classes, rows))
    }
    let boundaryTables = order.filter { airs[$0].boundaryColumnCount > 0 }
    let mainTables = order.filter { airs[$0].mainColumns.count > airs[$0].boundaryColumnCount }
    let auxTables = order.filter { !airs[$0].auxColumns.isEmpty }
    var boundaryRows: [Int: [[Fp]]] = [:]
    if let root = proof.boundaryRoot, let opening = proof.boundaryOpening {
        boundaryRows = try open("boundary", opening, root, classes: boundaryTables) { airs[$0].boundaryColumnCount }
    }
    let mainRows = try open("main trace", proof.mainOpening, proof.mainRoot, classes: mainTables) {
        airs[$0].mainColumns.count - airs[$0].boundaryColumnCount
    }
    var auxRows: [Int: [[Fp]]] = [:]
    if let root = proof.auxRoot, let opening = proof.auxOpening {
        auxRows = try open("auxiliary trace", opening, root, classes: auxTables) { airs[$0].auxColumns.count }
    }
    let compositionRows = try open("composition", proof.compositionOpening, proof.compositionRoot, classes: order) {
        shape.tables[$0].segmentCount + (parameters.zeroKnowledge && $0 == order[0] ? 1 : 0)
    }

    // Each table's DEEP value at its positions; layer 0 adds the layer-0 tables', each later layer the others'.
    let logLDE = shape.ldeSize.trailingZeroBitCount
    var layer0 = [Fp](repeating: .zero, count: queries.count)
    var injected: [Int: [Fp]] = [:]
    for t in order {
        let tableShape = shape.tables[t]
        let ps = shape.positions(of: t, queries: queries)
        let count = ps.count
        func row(_ k: Int) -> [Fp] {
            (boundaryRows[t]?[k] ?? []) + (mainRows[t]?[k] ?? []) + (auxRows[t]?[k] ?? [])
        }
        let values = deepValues(
            rows: (0..<count).map(row), composition: compositionRows[t]!, positions: ps,
            ood: proof.tables[t].outOfDomain, coefficients: deep[t], z: z, air: airs[t], shape: tableShape,
            masked: parameters.zeroKnowledge && t == order[0])
        let s = shape.layers[t]
        if s == 0 {
            for j in 0..<count { layer0[j] += values[j] }
        } else {
            var sum = injected[s] ?? [Fp](repeating: .zero, count: count)
            for j in 0..<count { sum[j] += values[j] }
            injected[s] = sum
        }
    }
    do {
        try FRIVerifier.verify(
            positions: queries, values: layer0, betas: betas, roots: proof.friRoots, openings: proof.friOpenings,
            remainder: proof.remainder, remainderLength: shape.remainderLength, ldeSize: shape.ldeSize,
            offset: StarkProtocol.domainOffset, logArities: shape.logArities,
            injected: injected.keys.sorted().map { s in
                let at = shape.positions(of: shape.tables(onLayer: s)[0], queries: queries)
                return FRIInjectedValues(logSize: logLDE - s, values: Dictionary(uniqueKeysWithValues: zip(at, injected[s]!)))
            },
            salted: parameters.zeroKnowledge)
    } catch { throw .fri(error) }
}

/// The DEEP composition of one table at its opened positions, from its opened trace rows (boundary, main and
/// auxiliary columns) and composition rows:
///
///     (A(x) − A(z))/(x − z) + Σ_r (B_r(x) − B_r(zω^r))/(x − zω^r) + Σ_i α''_i (H_i(x) − H_i(z))/(x − z) + λ·R(x)
///
/// with A the DEEP coefficients' combination of the columns and B_r that of the columns read r rows below.
func deepValues(
    rows: [[Fp]], composition: [[Fp]], positions: [Int], ood: OutOfDomainValues,
    coefficients deep: StarkProtocol.DeepCoefficients, z: Fp, air: AIR, shape: StarkShape, masked: Bool
) -> [Fp] {
    let shifted = StarkProtocol.shiftedOpenings(air: air, z: z, generator: shape.traceGenerator)
    let opened = shifted.count + 1
    var atPoints = [Fp](repeating: .zero, count: opened)
    for (c, v) in (ood.main + ood.aux).enumerated() { atPoints[0] += deep.atZ[c] * v }
    for (i, v) in ood.composition.enumerated() { atPoints[0] += deep.segments[i] * v }
    for (r, opening) in shifted.enumerated() {
        let values = opening.pick(main: ood.mainNext, aux: ood.auxNext)
        let weights = opening.pick(deep.atZNext, mainCount: ood.mainNext.count)
        for (v, w) in zip(values, weights) { atPoints[r + 1] += w * v }
    }
    let weights = shifted.map { $0.pick(deep.atZNext, mainCount: ood.mainNext.count) }
    let logSize = shape.ldeSize.trailingZeroBitCount
    let generator = Fp.rootOfUnity(logOrder: logSize)
    let points = positions.map {
        Folding.point(position: $0, logSize: logSize, offset: shape.domainOffset, generator: generator)
    }
    let inverses = Fp.batchInverse(points.flatMap { x in [x - z] + shifted.map { x - $0.point } })
    return positions.indices.map { j in
        let trace = rows[j]
        var a = Fp.zero
        for (c, v) in trace.enumerated() { a += deep.atZ[c] * v }
        for s in 0..<shape.segmentCount { a += deep.segments[s] * composition[j][s] }
        var value = (a - atPoints[0]) * inverses[opened * j]
        for (r, opening) in shifted.enumerated() {
            var b = Fp.zero
            for (k, c) in opening.columns.enumerated() { b += weights[r][k] * trace[c] }
            value += (b - atPoints[r + 1]) * inverses[opened * j + r + 1]
        }
        if masked { value += deep.mask * composition[j][shape.segmentCount] }
        return value
    }
}

/// Checks that every list in the proof has the length the AIRs and the shape call for, before anything indexes it.
private func checkStructure(
    _ proof: BatchProof, airs: [AIR], shape: BatchShape, shared: [[Int]]
) throws(VerifierError) {
    func expect(_ what: String, _ found: Int, _ wanted: Int) throws(VerifierError) {
        guard found == wanted else { throw .malformedProof("\(what): \(found) values; expected \(wanted)") }
    }
    for (t, air) in airs.enumerated() {
        let part = proof.tables[t]
        let ood = part.outOfDomain
        try expect("table \(t): main columns at z", ood.main.count, air.mainColumns.count)
        try expect("table \(t): main columns at z·ω", ood.mainNext.count, air.shiftedMainColumns.count)
        try expect("table \(t): auxiliary columns at z", ood.aux.count, air.auxColumns.count)
        try expect("table \(t): auxiliary columns at z·ω", ood.auxNext.count, air.shiftedAuxColumns.count)
        try expect("table \(t): composition segments at z", ood.composition.count, shape.tables[t].segmentCount)
        try expect("table \(t): global shares", part.globalShares.count, air.globalBuses.count)
        try expect("table \(t): shares of shared buses", part.busShares.count, shared[t].count)
    }
    try expect("FRI layer roots", proof.friRoots.count, shape.logArities.count)
    try expect("FRI layer openings", proof.friOpenings.count, shape.logArities.count)
    try expect("remainder coefficients", proof.remainder.count, shape.remainderLength)
    let boundary = airs.contains { $0.boundaryColumnCount > 0 }
    guard (proof.boundaryRoot != nil) == boundary, (proof.boundaryOpening != nil) == boundary else {
        throw .malformedProof(boundary ? "the boundary commitment is missing" : "an unexpected boundary commitment")
    }
    let aux = airs.contains { !$0.auxColumns.isEmpty }
    guard (proof.auxRoot != nil) == aux, (proof.auxOpening != nil) == aux else {
        throw .malformedProof(aux ? "the auxiliary commitment is missing" : "an unexpected auxiliary commitment")
    }
}
