import AIR
import FRI
import Field
import Hashing
import Proof

/// Why a proof was rejected. Each case names what failed, so a rejected proof can be diagnosed.
public enum VerifierError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The proof's structure does not fit its own parameters and AIR (wrong number of values somewhere).
    case malformedProof(String)
    /// The proof was made with another protocol version.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// The proof is about a different circuit than the verifier's.
    case circuitMismatch(expected: Digest, found: Digest)
    /// The proof's parameters are weaker than the verifier's policy allows.
    case parametersRefused(provenBits: Double, required: Double)
    /// The proof's public inputs are not the statement the verifier asked about.
    case statementMismatch(String)
    /// The composition polynomial does not match the constraints at the out-of-domain point: the trace does not
    /// satisfy the AIR.
    case outOfDomainMismatch
    /// A Merkle opening of the named commitment failed.
    case merkleOpening(commitment: String, MerkleError)
    /// The low-degree test failed.
    case fri(FRIError)
    /// The proof-of-work nonce does not have the required leading zero bits.
    case proofOfWork
    /// Proofs joined by a global bus were each valid, but their shares and the verifier's own entries do not
    /// cancel: they are not parts of one computation (a part is missing, repeated, foreign or does not continue
    /// where the one before it stopped).
    case globalBusUnbalanced(String)

    public var description: String {
        switch self {
        case .malformedProof(let why): return "malformed proof: \(why)"
        case .unsupportedVersion(let found, let supported):
            return "proof version \(found) is not supported (this verifier speaks version \(supported))"
        case .circuitMismatch(let expected, let found):
            return "proof is for circuit \(found), not the expected \(expected)"
        case .parametersRefused(let proven, let required):
            return "proof parameters give \(oneDecimal(proven)) proven bits; policy requires \(oneDecimal(required))"
        case .statementMismatch(let why): return "statement mismatch: \(why)"
        case .outOfDomainMismatch: return "out-of-domain check failed: the constraints do not hold"
        case .merkleOpening(let commitment, let e): return "\(commitment) commitment opening: \(e)"
        case .fri(let e): return "low-degree test failed: \(e)"
        case .proofOfWork: return "proof of work is invalid"
        case .globalBusUnbalanced(let bus): return "the proofs do not join: global bus '\(bus)' does not balance"
        }
    }
}

/// What the verifier demands, whatever the proof claims about itself.
public struct VerifierPolicy: Sendable {
    /// The least proven security (bits, Johnson-bound list decoding) a proof's parameters must give.
    public var minimumProvenBits: Double

    public init(minimumProvenBits: Double) { self.minimumProvenBits = minimumProvenBits }

    /// At least 100 proven bits.
    public static let `default` = VerifierPolicy(minimumProvenBits: 100)
}

/// Checks that `proof` shows a trace satisfying `air` for exactly these public inputs, under the verifier's own
/// policy. Returns normally when the proof is accepted.
///
/// `publicBusEntries[b]` are bus b's entries the verifier derives from the statement itself; they must be the
/// ones the prover used.
///
/// For an AIR with global buses, `global` is the joint context of the proofs this one is joined with: the proof is
/// checked with those challenges and its stated shares (``StarkProof/globalShares``), and whoever joins the proofs
/// checks that the shares balance.
public func verify(
    proof: StarkProof, air: AIR, publicInputs: [Fp], publicBusEntries: [[PublicBusEntry]] = [],
    global: GlobalContext? = nil, policy: VerifierPolicy = .default
) throws(VerifierError) {
    let parameters = proof.parameters

    // MARK: - 0. Identity, policy, statement and shape

    guard proof.version == StarkProtocol.version else {
        throw .unsupportedVersion(found: proof.version, supported: StarkProtocol.version)
    }
    guard air.packing == 1 else {
        throw .malformedProof("'\(air.name)' packs its columns; its proofs are batch proofs")
    }
    let circuitDigest = StarkProtocol.circuitDigest(of: air)
    guard proof.circuitDigest == circuitDigest else {
        throw .circuitMismatch(expected: circuitDigest, found: proof.circuitDigest)
    }
    let shape: StarkShape
    do { shape = try StarkShape(air: air, parameters: parameters, logTraceLength: proof.logTraceLength) } catch {
        throw .malformedProof("\(error)")
    }
    let provenBits = shape.security(air: air).provenBits
    guard provenBits >= policy.minimumProvenBits else {
        throw .parametersRefused(provenBits: provenBits, required: policy.minimumProvenBits)
    }
    guard proof.publicInputs == publicInputs else {
        throw .statementMismatch(
            proof.publicInputs.count == publicInputs.count
                ? "the proof's public inputs differ from the expected ones"
                : "the proof has \(proof.publicInputs.count) public inputs; expected \(publicInputs.count)")
    }
    try checkStructure(proof, air: air, shape: shape)
    guard air.globalBuses.isEmpty || global?.challenges.count == 2 * air.globalBuses.count else {
        throw .statementMismatch("the AIR has global buses; a proof of it is checked only with its joint challenges")
    }
    var transcript = StarkProtocol.startTranscript(
        circuitDigest: circuitDigest, parameters: parameters, logTraceLength: shape.logTraceLength,
        publicInputs: publicInputs, publicBusEntries: publicBusEntries)

    // MARK: - 1. Boundary commitment, global shares, main trace commitment

    StarkProtocol.absorbBoundary(
        &transcript, global: global, boundaryRoot: proof.boundaryRoot, globalShares: proof.globalShares)
    transcript.absorb("main-root", digest: proof.mainRoot)

    // MARK: - 2. Auxiliary challenges and commitment

    let challenges = StarkProtocol.drawChallenges(&transcript, air: air, global: global)
    if let auxRoot = proof.auxRoot { transcript.absorb("aux-root", digest: auxRoot) }

    // MARK: - 3. Composition coefficients and commitment

    let busPublicSums: [Fp]
    do {
        busPublicSums = try air.busPublicSums(
            publicBusEntries, challenges: challenges, globalShares: proof.globalShares)
    } catch {
        throw .statementMismatch("\(error)")
    }
    let gammas = transcript.challenges("composition", count: air.constraints.count)
    transcript.absorb("composition-root", digest: proof.compositionRoot)

    // MARK: - 4. Out-of-domain consistency: Σ γ_c·C_c(z)/D_c(z) = Σ z^(i·n)·H_i(z)

    let z = StarkProtocol.drawOutOfDomainPoint(&transcript, shape: shape)
    let ood = proof.outOfDomain
    let expected = StarkProtocol.compositionAtOutOfDomainPoint(
        air: air, ood: ood, z: z, shape: shape, publicInputs: publicInputs, challenges: challenges,
        busPublicSums: busPublicSums, gammas: gammas)
    let claimed = StarkProtocol.compositionFromSegments(ood, z: z, shape: shape)
    guard claimed == expected else { throw .outOfDomainMismatch }
    StarkProtocol.absorb(ood, into: &transcript)

    // MARK: - 5. DEEP coefficients

    let deep = StarkProtocol.drawDeepCoefficients(&transcript, air: air, shape: shape)

    // MARK: - 6. FRI commitments

    var betas: [Fp] = []
    for layer in 0...shape.friLayerCount {
        transcript.absorb("fri-root", digest: proof.friRoots[layer])
        betas.append(transcript.challenge("fri-fold"))
    }
    transcript.absorb("fri-remainder", elements: proof.remainder)

    // MARK: - 7. Proof of work

    do { try transcript.verifyProofOfWork(bits: parameters.grindingBits, nonce: proof.proofOfWorkNonce) } catch {
        throw .proofOfWork
    }

    // MARK: - 8. Queries: open the commitments, compute layer 0 at each position, run FRI's checks

    let leaves = StarkProtocol.drawQueries(&transcript, shape: shape)
    func open(_ name: String, _ opening: MerkleOpening, _ root: Digest, width: Int) throws(VerifierError) -> [[Fp]] {
        do {
            return try opening.verify(
                root: root, leafCount: shape.ldeSize, width: width, salted: parameters.zeroKnowledge,
                indices: leaves)
        } catch { throw .merkleOpening(commitment: name, error) }
    }
    let b = air.boundaryColumnCount
    var mainRows = try open("main trace", proof.mainOpening, proof.mainRoot, width: air.mainColumns.count - b)
    if let boundaryRoot = proof.boundaryRoot, let boundaryOpening = proof.boundaryOpening {
        let boundaryRows = try open("boundary", boundaryOpening, boundaryRoot, width: b)
        for j in mainRows.indices { mainRows[j] = boundaryRows[j] + mainRows[j] }
    }
    var auxRows = [[Fp]](repeating: [], count: leaves.count)
    if let auxRoot = proof.auxRoot, let auxOpening = proof.auxOpening {
        auxRows = try open("auxiliary trace", auxOpening, auxRoot, width: air.auxColumns.count)
    }
    let compositionWidth = shape.segmentCount + (parameters.zeroKnowledge ? 1 : 0)
    let compositionRows = try open(
        "composition", proof.compositionOpening, proof.compositionRoot, width: compositionWidth)

    let layer0 = deepValues(
        rows: leaves.indices.map { mainRows[$0] + auxRows[$0] }, composition: compositionRows, positions: leaves,
        ood: ood, coefficients: deep, z: z, air: air, shape: shape, masked: parameters.zeroKnowledge)
    do {
        try FRIVerifier.verify(
            positions: leaves, values: layer0, betas: betas, roots: proof.friRoots,
            openings: proof.friOpenings, remainder: proof.remainder, remainderLength: shape.remainderLength,
            ldeSize: shape.ldeSize, offset: StarkProtocol.domainOffset, logFoldingFactor: parameters.logFoldingFactor,
            salted: StarkProtocol.friLayersSalted)
    } catch { throw .fri(error) }
}

/// Checks that every list in the proof has the length the AIR and the shape call for, before anything indexes it.
private func checkStructure(_ proof: StarkProof, air: AIR, shape: StarkShape) throws(VerifierError) {
    let ood = proof.outOfDomain
    let m = air.mainColumns.count
    let a = air.auxColumns.count
    func expect(_ what: String, _ found: Int, _ wanted: Int) throws(VerifierError) {
        guard found == wanted else { throw .malformedProof("\(what): \(found) values; expected \(wanted)") }
    }
    try expect("main columns at z", ood.main.count, m)
    try expect("main columns at z·ω", ood.mainNext.count, air.openedNextMainColumns.count)
    try expect("auxiliary columns at z", ood.aux.count, a)
    try expect("auxiliary columns at z·ω", ood.auxNext.count, air.openedNextAuxColumns.count)
    try expect("composition segments at z", ood.composition.count, shape.segmentCount)
    try expect("FRI layer roots", proof.friRoots.count, shape.friLayerCount + 1)
    try expect("FRI layer openings", proof.friOpenings.count, shape.friLayerCount + 1)
    try expect("remainder coefficients", proof.remainder.count, shape.remainderLength)
    let b = air.boundaryColumnCount
    guard (proof.boundaryRoot != nil) == (b > 0), (proof.boundaryOpening != nil) == (b > 0) else {
        throw .malformedProof(b > 0 ? "the boundary commitment is missing" : "an unexpected boundary commitment")
    }
    try expect("global shares", proof.globalShares.count, air.globalBuses.count)
    guard (proof.auxRoot != nil) == (a > 0), (proof.auxOpening != nil) == (a > 0) else {
        throw .malformedProof(a > 0 ? "the auxiliary commitment is missing" : "an unexpected auxiliary commitment")
    }
}

/// A figure with one decimal, without Foundation.
func oneDecimal(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
