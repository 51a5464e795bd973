import Proof
import RV32IM
import Verifier

// The facade's signatures use these types from the modules below it; the aliases let a client that imports only
// ZKVM name them.

/// Resource limits for one execution (cycles, memory pages, input and output bytes).
public typealias Limits = RV32IM.Limits

/// A named parameter set: `.default` (≥ 100 proven bits), `.fast`, `.test` (insecure, for tests), `.ethstark`.
public typealias Profile = Proof.Profile

/// The STARK parameters a proof was made with: blowup, queries, grinding, folding, zero knowledge.
public typealias ProofParameters = Proof.ProofParameters

/// The inner STARK proof of a receipt.
public typealias StarkProof = Proof.StarkProof
public typealias BatchProof = Proof.BatchProof
public typealias BatchTablePart = Proof.BatchTablePart

/// What a verifier demands of a proof whatever the proof says about itself: a minimum of proven security bits.
public typealias VerifierPolicy = Verifier.VerifierPolicy

/// Why the STARK verifier rejected a proof.
public typealias VerifierError = Verifier.VerifierError

/// What joins the proofs of one execution: the global buses' challenges and the binding of the joint transcript
/// they were drawn from (``SegmentedProver/context(boundaryRoots:)``).
public typealias GlobalContext = Proof.GlobalContext
