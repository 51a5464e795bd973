import Field
import Hashing

/// A STARK proof that a trace satisfying an AIR exists for the given public inputs.
///
/// The fields are in the order the prover sends them, which is also the order the transcript absorbs them.
/// `docs/proof-format.md` specifies the binary encoding.
public struct StarkProof: Hashable, Sendable {
    /// The encoding and protocol version this proof was made with.
    public var version: UInt16
    public var parameters: ProofParameters
    /// Digest of the AIR the proof is about (the circuit id).
    public var circuitDigest: Digest
    /// log₂ of the trace length.
    public var logTraceLength: Int
    public var publicInputs: [Fp]

    /// Commitment to the boundary columns (``AIR/boundaryColumnCount``), made before the global buses' challenges;
    /// absent when the AIR has none.
    public var boundaryRoot: Digest?
    /// The proof's share of each global bus (``AIR/globalBuses`` order): the sum of its fractions in this trace.
    public var globalShares: [Fp]
    /// Commitment to the main trace's extended columns (all but the boundary columns).
    public var mainRoot: Digest
    /// Commitment to the auxiliary (LogUp) columns; absent when the AIR has none.
    public var auxRoot: Digest?
    /// Commitment to the composition segments and, with zero knowledge, the FRI masking polynomial.
    public var compositionRoot: Digest

    /// Every main, auxiliary and composition column at the out-of-domain point z (and z·ω for trace columns).
    public var outOfDomain: OutOfDomainValues

    /// Roots of the committed FRI layers: layer 0 (the DEEP composition) first.
    public var friRoots: [Digest]
    /// The last FRI layer as a polynomial in coefficient form, lowest degree first.
    public var remainder: [Fp]
    /// The proof-of-work nonce found before the queries were drawn.
    public var proofOfWorkNonce: UInt64

    /// The queried rows of each commitment: one row per distinct query position, in increasing leaf order.
    public var boundaryOpening: MerkleOpening?
    public var mainOpening: MerkleOpening
    public var auxOpening: MerkleOpening?
    public var compositionOpening: MerkleOpening
    /// One opening per committed FRI layer, layer 0 first; each leaf is one folding coset of that layer.
    public var friOpenings: [MerkleOpening]

    public init(
        version: UInt16, parameters: ProofParameters, circuitDigest: Digest, logTraceLength: Int, publicInputs: [Fp],
        boundaryRoot: Digest? = nil, globalShares: [Fp] = [], mainRoot: Digest, auxRoot: Digest?,
        compositionRoot: Digest, outOfDomain: OutOfDomainValues, friRoots: [Digest], remainder: [Fp],
        proofOfWorkNonce: UInt64, boundaryOpening: MerkleOpening? = nil, mainOpening: MerkleOpening,
        auxOpening: MerkleOpening?, compositionOpening: MerkleOpening, friOpenings: [MerkleOpening]
    ) {
        self.version = version
        self.parameters = parameters
        self.circuitDigest = circuitDigest
        self.logTraceLength = logTraceLength
        self.publicInputs = publicInputs
        self.boundaryRoot = boundaryRoot
        self.globalShares = globalShares
        self.boundaryOpening = boundaryOpening
        self.mainRoot = mainRoot
        self.auxRoot = auxRoot
        self.compositionRoot = compositionRoot
        self.outOfDomain = outOfDomain
        self.friRoots = friRoots
        self.remainder = remainder
        self.proofOfWorkNonce = proofOfWorkNonce
        self.mainOpening = mainOpening
        self.auxOpening = auxOpening
        self.compositionOpening = compositionOpening
        self.friOpenings = friOpenings
    }
}

/// The columns' values at the out-of-domain point.
public struct OutOfDomainValues: Hashable, Sendable {
    /// Main columns at z.
    public var main: [Fp]
    /// Main columns at z·ω (the next row), only those the constraints read on the next row
    /// (`AIR.openedNextMainColumns`), in that order.
    public var mainNext: [Fp]
    /// Auxiliary columns at z.
    public var aux: [Fp]
    /// Auxiliary columns at z·ω, only those in `AIR.openedNextAuxColumns`.
    public var auxNext: [Fp]
    /// Composition segments at z.
    public var composition: [Fp]

    public init(main: [Fp], mainNext: [Fp], aux: [Fp], auxNext: [Fp], composition: [Fp]) {
        self.main = main
        self.mainNext = mainNext
        self.aux = aux
        self.auxNext = auxNext
        self.composition = composition
    }
}
