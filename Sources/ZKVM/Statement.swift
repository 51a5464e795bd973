import Circuit
import Hashing
import Proof

/// What a verified receipt establishes: the program with id ``programID``, run on some private input, called
/// `exit(`\(``exitCode``)`)` after writing exactly ``journal`` to its public output, and the proof of that has the
/// security figures below.
///
/// ``verify(_:expecting:policy:)`` returns one only after the proof has been checked; ``Receipt/claim`` gives
/// the same figures for a receipt that has not been (for display).
public struct Statement: Equatable, Sendable {
    /// The program that ran.
    public var programID: ProgramID
    /// The public output: every byte the guest wrote to fd 1, in order.
    public var journal: [UInt8]
    /// The value the guest passed to `exit` (all 32 bits).
    public var exitCode: UInt32
    /// The number of rows in the proven trace: a power of two at least the cycle count (I/O bytes and the
    /// circuit's tables take rows too). It is all a receipt says about how long the guest ran.
    public var traceLength: Int
    /// The id of the RV32IM circuit the proof is for (its canonical digest, as `zkvm circuit` prints it).
    public var circuitID: String
    /// The proof's STARK parameters.
    public var parameters: ProofParameters
    /// The named profile whose parameters the proof uses, or nil when they match none.
    public var profile: Profile?
    /// The receipt format version (``Receipt/formatVersion``).
    public var formatVersion: UInt16
    /// Security proven under the Johnson bound, in bits: the figure the verifier's policy is checked against.
    public var provenBits: Double
    /// Security under the ethSTARK conjecture, in bits; for comparison with other systems only.
    public var conjecturedBits: Double
}

extension Receipt {
    /// The statement this receipt claims, with the security figures of its parameters, without checking the
    /// proof. For display (`zkvm inspect`); trust only what ``verify(_:expecting:policy:)`` returns.
    public var claim: Statement {
        let air = CPUCircuit.air
        let figures: SecurityFigures
        if let shape = try? StarkShape(air: air, parameters: proof.parameters, logTraceLength: proof.logTraceLength) {
            figures = shape.security(air: air)
        } else {
            figures = SecurityFigures(conjecturedBits: 0, provenBits: 0)
        }
        return Statement(
            programID: programID, journal: journal, exitCode: exitCode, traceLength: 1 << proof.logTraceLength,
            circuitID: proof.circuitDigest.description, parameters: proof.parameters,
            profile: Profile.allCases.first { $0.parameters == proof.parameters }, formatVersion: formatVersion,
            provenBits: figures.provenBits, conjecturedBits: figures.conjecturedBits)
    }
}

/// The id of the circuit this version of zkvm proves with: receipts made for another circuit are refused.
public var circuitID: String { StarkProtocol.circuitDigest(of: CPUCircuit.air).description }
