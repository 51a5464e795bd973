import AIR
import FRI
import Field
import Hashing
import Proof

/// Why a proof could not be made.
public enum ProverError: Error, Sendable, CustomStringConvertible {
    /// The trace or public inputs do not fit the AIR (column count, length); fix the trace generator.
    case invalidWitness(String)
    /// The trace violates constraints; the failures name each row and constraint. Nothing was proven.
    case constraintsNotSatisfied([ConstraintFailure])
    /// The parameters and trace length do not fit together.
    case shape(ShapeError)
    /// A random challenge hit a zero denominator (probability about rows/p); proving again draws fresh ones.
    case unluckyChallenge(String)
    /// The trace passed the constraint check, yet a polynomial came out above its degree bound: a bug in the
    /// prover or the AIR, reported rather than turned into a proof that cannot verify.
    case internalInconsistency(String)

    public var description: String {
        switch self {
        case .invalidWitness(let why): return "invalid witness: \(why)"
        case .constraintsNotSatisfied(let failures):
            let shown = failures.prefix(10).map { "  \($0)" }.joined(separator: "\n")
            return "the trace violates \(failures.count) constraint(s):\n\(shown)"
        case .shape(let e): return "\(e)"
        case .unluckyChallenge(let why): return "\(why); prove again"
        case .internalInconsistency(let why): return "internal error: \(why)"
        }
    }
}

/// Prover switches.
public struct ProverOptions: Sendable {
    public var parameters: ProofParameters
    /// Test only: skip the prover's own constraint check, to let a test play a cheating prover whose proof the
    /// verifier must reject. Never set it in production.
    public var _skipConstraintCheck: Bool
    /// Called as each phase ends, with its name and the seconds it took (for progress displays and profiling).
    public var progress: (@Sendable (_ phase: String, _ seconds: Double) -> Void)?
    /// The most bytes the extended main columns may take when every value is kept (columns × extended domain × 32
    /// bytes). Above it the prover keeps their coefficients instead and computes the values one coset of the trace
    /// domain at a time: once for the commitment, once for the composition polynomial, and then only the opened
    /// rows. That takes blowup times less memory for these columns, and more time. Whatever room the coefficients
    /// and the one coset leave under the limit keeps copies of the cosets the composition polynomial reads, as many
    /// columns as fit, so it computes fewer again.
    public var mainExtensionMemoryLimit: Int
    /// Test only: changes FRI's layer 0 after it is computed and before it is committed, to let a test play a
    /// prover whose committed layer 0 is not the DEEP composition of its columns. Never set it in production.
    public var _alterLayer0: (@Sendable (inout [Fp]) -> Void)?
    /// Test only: changes the auxiliary (LogUp) columns after they are built and before they are checked and
    /// committed, to let a test play a prover whose inverse columns or running sum are wrong (set
    /// ``_skipConstraintCheck`` too). Never set it in production.
    public var _alterAuxiliary: (@Sendable (inout [[Fp]]) -> Void)?
    /// Test only: how a cheating batch prover departs from the protocol (``BatchCheat``). Never set it in
    /// production.
    public var _batchCheat: BatchCheat?

    /// The default ``mainExtensionMemoryLimit``: 2.75 GiB, which keeps the RV32IM circuit's columns up to 2^17 rows
    /// in the default profile, and at 2^18 rows 85 of its 133 main columns on coset 1 beside coset 0.
    public static let defaultMainExtensionMemoryLimit = 11 << 28

    public init(
        parameters: ProofParameters, _skipConstraintCheck: Bool = false,
        mainExtensionMemoryLimit: Int = ProverOptions.defaultMainExtensionMemoryLimit,
        progress: (@Sendable (_ phase: String, _ seconds: Double) -> Void)? = nil
    ) {
        self.parameters = parameters
        self._skipConstraintCheck = _skipConstraintCheck
        self.mainExtensionMemoryLimit = mainExtensionMemoryLimit
        self.progress = progress
    }
}

/// Proves that `trace` satisfies `air` with these public inputs.
///
/// `publicBusEntries[b]` are bus b's entries that the verifier supplies itself (see ``PublicBusEntry``); the
/// verifier must pass the same ones.
///
/// An AIR with global buses is proven as one of several proofs joined by them: `global` carries the joint
/// challenges, drawn after every proof's boundary root, and `boundarySeed` the secret seed its boundary columns
/// were committed under by ``commitBoundary(air:trace:parameters:seed:)``, so that this proof commits them to the
/// same root.
public func prove(
    air: AIR, trace: TraceTable, publicInputs: [Fp], publicBusEntries: [[PublicBusEntry]] = [],
    global: GlobalContext? = nil, boundarySeed: Digest? = nil, options: ProverOptions
) throws(ProverError) -> StarkProof {
    let parameters = options.parameters
    var random = MaskRandomness()
    var phases = PhaseClock(report: options.progress)

    // MARK: - 0. Derive every size

    guard air.packing == 1 else {
        throw .invalidWitness("'\(air.name)' packs its columns (pack \(air.packing)); prove it as a batch (proveBatch)")
    }
    let shape = try checkWitness(air: air, trace: trace, publicInputs: publicInputs, parameters: parameters)
    guard air.globalBuses.isEmpty || global?.challenges.count == 2 * air.globalBuses.count else {
        throw .invalidWitness("the AIR has \(air.globalBuses.count) global buses; their joint challenges are needed")
    }
    let n = shape.traceLength
    let circuitDigest = StarkProtocol.circuitDigest(of: air)
    var transcript = StarkProtocol.startTranscript(
        circuitDigest: circuitDigest, parameters: parameters, logTraceLength: shape.logTraceLength,
        publicInputs: publicInputs, publicBusEntries: publicBusEntries)
    let lde = LowDegreeExtension(shape: shape)

    phases.end("set up")

    // MARK: - 1. Commit to the boundary columns, state the global shares, commit to the main trace

    let b = air.boundaryColumnCount
    let boundary = b > 0 ? extendBoundary(trace, count: b, lde: lde, seed: boundarySeed) : nil
    let globalShares: [Fp]
    do {
        globalShares =
            try global.map { g throws(AIRError) in
                try air.globalShares(
                    main: trace, publicInputs: publicInputs,
                    challenges: StarkProtocol.globalChallengeVector(air: air, global: g))
            } ?? []
    } catch {
        throw .unluckyChallenge("\(error)")
    }
    StarkProtocol.absorbBoundary(
        &transcript, global: global, boundaryRoot: boundary?.tree.root, globalShares: globalShares)

    let mainColumns = Array(trace.columns[b...])
    let main = lde.extend(mainColumns, memoryLimit: options.mainExtensionMemoryLimit, random: &random)
    let mainTree = lde.commit(main)
    transcript.absorb("main-root", digest: mainTree.root)

    phases.end("commit the main trace")

    // MARK: - 2. Build and commit the auxiliary (LogUp) columns

    let challenges = StarkProtocol.drawChallenges(&transcript, air: air, global: global)
    var auxColumns: [[Fp]]
    do {
        auxColumns = try air.buildAuxiliaryColumns(main: trace, publicInputs: publicInputs, challenges: challenges)
    } catch {
        throw .unluckyChallenge("\(error)")
    }
    options._alterAuxiliary?(&auxColumns)
    let busPublicSums: [Fp]
    do {
        busPublicSums = try air.busPublicSums(publicBusEntries, challenges: challenges, globalShares: globalShares)
    } catch {
        throw .unluckyChallenge("\(error)")
    }
    phases.end("build the auxiliary columns")

    let aux = lde.extend(auxColumns, random: &random)
    let auxTree = auxColumns.isEmpty ? nil : lde.commit(aux)
    if let auxTree { transcript.absorb("aux-root", digest: auxTree.root) }

    phases.end("commit the auxiliary columns")

    // MARK: - 3. Combine the constraints into the composition polynomial, split it and commit

    let gammas = transcript.challenges("composition", count: air.constraints.count)
    var (coefficients, exceedsClassBound) = CompositionBuilder(air: air, shape: shape).coefficients(
        boundary: boundary?.columns, main: main, aux: aux, publicInputs: publicInputs, challenges: challenges, busPublicSums: busPublicSums,
        gammas: gammas)
    if exceedsClassBound || coefficients[shape.compositionDegreeBound...].contains(where: { !$0.isZero }) {
        // Only a trace that breaks a constraint gets here; a cheating prover carries on with a wrong quotient. The
        // prover's own check, with the proof's challenges and auxiliary columns, then reports it by row and name: a
        // pass over the trace that an honest trace, whose division is exact, never pays for.
        if !options._skipConstraintCheck {
            let failures: [ConstraintFailure]
            do {
                failures = try air.check(
                    trace: trace, publicInputs: publicInputs, challenges: challenges,
                    publicBusEntries: publicBusEntries, globalShares: globalShares, auxiliary: auxColumns)
            } catch {
                throw .invalidWitness("\(error)")
            }
            guard failures.isEmpty else { throw .constraintsNotSatisfied(failures) }
            throw .internalInconsistency("the composition polynomial exceeds its degree bound")
        }
    }
    coefficients = Array(coefficients.prefix(shape.segmentCount * n))
    coefficients += [Fp](repeating: .zero, count: shape.segmentCount * n - coefficients.count)
    let segments = splitAndMask(coefficients, shape: shape, random: &random)
    let compositionColumns = lde.evaluateSegments(segments)
    let compositionTree = lde.commitSegments(compositionColumns)
    transcript.absorb("composition-root", digest: compositionTree.root)

    phases.end("commit the composition polynomial")

    // MARK: - 4. Out-of-domain evaluations at z and z·ω

    let z = StarkProtocol.drawOutOfDomainPoint(&transcript, shape: shape)
    let zNext = z * shape.traceGenerator
    // Main then auxiliary columns, on the trace domain with their masks: what the values at z, z·ω and DEEP use.
    let traces = trace.columns + auxColumns
    let masks = (boundary?.columns.masks ?? []) + main.masks + aux.masks
    let mainCount = air.mainColumns.count
    let nextRowColumns = air.openedNextMainColumns + air.openedNextAuxColumns.map { $0 + mainCount }
    let atZ = lde.evaluate(traces: traces, masks: masks, indices: Array(traces.indices), at: z)
    let atZNext = lde.evaluate(traces: traces, masks: masks, indices: nextRowColumns, at: zNext)
    let ood = OutOfDomainValues(
        main: Array(atZ[..<mainCount]), mainNext: Array(atZNext[..<air.openedNextMainColumns.count]),
        aux: Array(atZ[mainCount...]), auxNext: Array(atZNext[air.openedNextMainColumns.count...]),
        composition: segments.prefix(shape.segmentCount).map { Polynomial(coefficients: $0).evaluate(at: z) })
    StarkProtocol.absorb(ood, into: &transcript)

    phases.end("out-of-domain evaluations")

    // MARK: - 5. DEEP composition: FRI's layer 0, committed with the other layers

    let deep = StarkProtocol.drawDeepCoefficients(&transcript, air: air, shape: shape)
    var layer0 = lde.deepComposition(
        traces: traces, masks: masks, composition: compositionColumns, ood: ood, coefficients: deep, z: z,
        zNext: zNext, nextRowColumns: nextRowColumns)
    options._alterLayer0?(&layer0)

    phases.end("DEEP composition")

    // MARK: - 6. FRI commit phase

    let fri: FRIProverState
    do {
        fri = try FRIProverState(
            layer0: layer0, offset: StarkProtocol.domainOffset, logFoldingFactor: parameters.logFoldingFactor,
            committedLayers: shape.friLayerCount, remainderLength: shape.remainderLength,
            salted: StarkProtocol.friLayersSalted, transcript: &transcript)
    } catch {
        guard options._skipConstraintCheck else { throw .internalInconsistency("FRI's last layer exceeds its degree") }
        throw .invalidWitness("a cheating trace broke the FRI degree bound: \(error)")
    }

    phases.end("FRI commit phase")

    // MARK: - 7. Proof of work

    let nonce = transcript.grind(bits: parameters.grindingBits)

    phases.end("proof of work")

    // MARK: - 8. Queries

    let queries = StarkProtocol.drawQueries(&transcript, shape: shape)
    let boundaryRows = boundary?.columns.rows(at: queries)
    let mainRows = main.rows(at: queries)
    let auxRows = aux.rows(at: queries)
    defer { phases.end("queries") }
    return StarkProof(
        version: StarkProtocol.version, parameters: parameters, circuitDigest: circuitDigest,
        logTraceLength: shape.logTraceLength, publicInputs: publicInputs, boundaryRoot: boundary?.tree.root,
        globalShares: globalShares, mainRoot: mainTree.root, auxRoot: auxTree?.root,
        compositionRoot: compositionTree.root, outOfDomain: ood, friRoots: fri.roots, remainder: fri.remainder,
        proofOfWorkNonce: nonce,
        boundaryOpening: boundary.map { b in try! b.tree.open(queries) { boundaryRows![$0]! } },
        mainOpening: try! mainTree.open(queries) { mainRows[$0]! },
        auxOpening: try! auxTree?.open(queries) { auxRows[$0]! },
        compositionOpening: try! compositionTree.open(queries) { LowDegreeExtension.row($0, of: compositionColumns) },
        friOpenings: fri.open(queries: queries))
}

/// The root a proof of `trace` commits its boundary columns to, under `seed`: the first half of a segmented proof,
/// made for every segment before the global challenges can be drawn. ``prove(air:trace:publicInputs:publicBusEntries:global:boundarySeed:options:)``
/// commits to the same root under the same seed.
public func commitBoundary(
    air: AIR, trace: TraceTable, publicInputs: [Fp], parameters: ProofParameters, seed: Digest
) throws(ProverError) -> Digest {
    guard air.boundaryColumnCount > 0 else { throw .invalidWitness("the AIR '\(air.name)' has no boundary columns") }
    let shape = try checkWitness(air: air, trace: trace, publicInputs: publicInputs, parameters: parameters)
    return extendBoundary(
        trace, count: air.boundaryColumnCount, lde: LowDegreeExtension(shape: shape), seed: seed).tree.root
}

/// The same root from the boundary columns alone (the first ``AIR/boundaryColumnCount`` columns of the trace),
/// for a prover that builds only them before the joint challenges.
public func commitBoundary(
    air: AIR, boundaryColumns: [[Fp]], parameters: ProofParameters, seed: Digest
) throws(ProverError) -> Digest {
    guard air.boundaryColumnCount > 0, boundaryColumns.count == air.boundaryColumnCount else {
        throw .invalidWitness(
            "\(boundaryColumns.count) boundary columns given; the AIR '\(air.name)' has \(air.boundaryColumnCount)")
    }
    let table: TraceTable
    do { table = try TraceTable(columns: boundaryColumns) } catch { throw .invalidWitness("\(error)") }
    let shape: StarkShape
    do { shape = try StarkShape(air: air, parameters: parameters, logTraceLength: table.logRowCount) } catch {
        throw .shape(error)
    }
    return extendBoundary(table, count: air.boundaryColumnCount, lde: LowDegreeExtension(shape: shape), seed: seed)
        .tree.root
}

/// The shape of a proof of `trace`, after checking that the trace and public inputs fit the AIR.
func checkWitness(
    air: AIR, trace: TraceTable, publicInputs: [Fp], parameters: ProofParameters
) throws(ProverError) -> StarkShape {
    guard trace.columns.count == air.mainColumns.count else {
        throw .invalidWitness("the trace has \(trace.columns.count) columns; the AIR has \(air.mainColumns.count)")
    }
    guard publicInputs.count == air.publicInputs.count else {
        throw .invalidWitness("\(publicInputs.count) public inputs; the AIR takes \(air.publicInputs.count)")
    }
    do { return try StarkShape(air: air, parameters: parameters, logTraceLength: trace.logRowCount) } catch {
        throw .shape(error)
    }
}

/// The boundary columns extended (always kept: they are few) and committed. With a seed, their masks and leaf
/// salts come from streams derived from it, so the commitment can be made again identically; the seed must stay
/// as secret as any other masking randomness. Without `salted` the leaves have no salts: for a class below the
/// tallest of a mixed commitment (``MixedMerkleTree``), whose leaves only ever reach an unopened node through
/// a salted one.
func extendBoundary(
    _ trace: TraceTable, count: Int, lde: LowDegreeExtension, packer: Packer? = nil, seed: Digest?,
    salted: Bool = true
) -> (columns: ExtendedColumns, tree: MerkleTree) {
    let columns = Array(trace.columns.prefix(count))
    guard let seed else {
        var random = MaskRandomness()
        let extended = lde.extend(columns, random: &random)
        return (extended, lde.commit(extended, packer: packer, salts: salted ? nil : MerkleTree.Salts.none))
    }
    func stream(_ purpose: String) -> RandomStream {
        try! RandomStream(seed: Blake2b.hash(seed.bytes + Array("zkvm-boundary-\(purpose)".utf8)).bytes)
    }
    var random = MaskRandomness(stream: stream("masks"))
    let extended = lde.extend(columns, random: &random)
    let salts: MerkleTree.Salts = lde.shape.parameters.zeroKnowledge && salted ? .stream(stream("salts")) : .none
    return (extended, lde.commit(extended, packer: packer, salts: salts))
}

/// Splits the composition polynomial's coefficients into segments of n and, with zero knowledge, masks them so
/// that Σ X^(i·n)·H_i'(X) is unchanged while each H_i' is uniformly random at up to k points:
/// H_0' = H_0 + X^n·s_1, H_i' = H_i − s_i + X^n·s_(i+1), H_last' = H_last − s_last with random s_i of degree < k.
/// Returns the segments, then (with zero knowledge) the random FRI masking polynomial of degree < n + k.
func splitAndMask(_ coefficients: [Fp], shape: StarkShape, random: inout MaskRandomness) -> [[Fp]] {
    let n = shape.traceLength
    let k = shape.maskDegree
    var segments = (0..<shape.segmentCount).map { i in
        Array(coefficients[i * n..<(i + 1) * n]) + [Fp](repeating: .zero, count: k)
    }
    guard shape.parameters.zeroKnowledge else { return segments }
    for i in 1..<shape.segmentCount {
        for j in 0..<k {
            let s = Fp.random(using: &random)
            segments[i - 1][n + j] += s
            segments[i][j] -= s
        }
    }
    segments.append((0..<shape.friDegreeBound).map { _ in Fp.random(using: &random) })
    return segments
}

/// Times consecutive phases and reports each as it ends.
struct PhaseClock {
    let report: (@Sendable (String, Double) -> Void)?
    var start = ContinuousClock.now

    mutating func end(_ phase: String) {
        let now = ContinuousClock.now
        if let report {
            let d = now - start
            report(phase, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        start = now
    }
}
