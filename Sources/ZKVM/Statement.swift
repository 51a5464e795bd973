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
    /// The rows of all the proven segments: the segments times their length, at least the cycle count (I/O
    /// bytes and the circuit's tables take rows too). With ``segmentCount``, it is all a receipt says about how
    /// long the guest ran.
    public var traceLength: Int
    /// How many segments the execution was proven in.
    public var segmentCount: Int
    /// The rows of each segment, a power of two.
    public var segmentLength: Int
    /// The rows of the memory's closing table, a power of two at least the number of words the execution touched
    /// or the image sets (0 for a receipt whose last proof has no such table, which verify refuses).
    public var memoryTableLength: Int
    /// The id of the RV32IM circuit the proof is for (its canonical digest, as `zkvm circuit` prints it).
    public var circuitID: String
    /// The proof's STARK parameters.
    public var parameters: ProofParameters
    /// The named profile whose parameters the proof uses, or nil when they match none.
    public var profile: Profile?
    /// The receipt format version (``Receipt/formatVersion``).
    public var formatVersion: UInt16
    /// Security proven under the Johnson bound, in bits, the least of the receipt's proofs: the figure the
    /// verifier's policy is checked against.
    public var provenBits: Double
    /// Security under the ethSTARK conjecture, in bits; for comparison with other systems only.
    public var conjecturedBits: Double
}

extension Receipt {
    /// The statement this receipt claims, with the security figures of its parameters, without checking the
    /// proof. For display (`zkvm inspect`); trust only what ``verify(_:expecting:policy:)`` returns.
    public var claim: Statement {
        // Each proof's figures; the receipt's are the least. Proofs of one shape share theirs, so each shape is
        // computed once.
        struct Shape: Hashable {
            var logs: [Int]
            var parameters: ProofParameters
            var last: Bool
        }
        var proven = Double.infinity
        var conjectured = Double.infinity
        let shapes = Set(
            segmentProofs.enumerated().map { k, proof in
                Shape(
                    logs: proof.tables.map(\.logTraceLength), parameters: proof.parameters,
                    last: k == segmentProofs.count - 1)
            })
        for s in shapes {
            let airs = s.last ? LookupCircuit.lastSegmentAIRs : LookupCircuit.segmentAIRs
            guard s.logs.count == airs.count,
                let shape = try? BatchShape(airs: airs, parameters: s.parameters, logTraceLengths: s.logs)
            else {
                (proven, conjectured) = (0, 0)
                break
            }
            let figures = shape.security(airs: airs)
            proven = min(proven, figures.provenBits)
            conjectured = min(conjectured, figures.conjecturedBits)
        }
        // A decoded receipt has at least one segment; one built in code without any claims nothing, and verify
        // refuses it.
        guard let first = segmentProofs.first else {
            return Statement(
                programID: programID, journal: journal, exitCode: exitCode, traceLength: 0, segmentCount: 0,
                segmentLength: 0, memoryTableLength: 0, circuitID: Digest.zero.description,
                parameters: Profile.default.parameters, profile: nil, formatVersion: formatVersion, provenBits: 0,
                conjecturedBits: 0)
        }
        return Statement(
            programID: programID, journal: journal, exitCode: exitCode,
            traceLength: segmentProofs.reduce(0) { $0 + (1 << $1.logTraceLength) }, segmentCount: segmentProofs.count,
            segmentLength: 1 << first.logTraceLength, memoryTableLength: memoryLogRows.map { 1 << $0 } ?? 0,
            circuitID: (first.tables.first?.circuitDigest ?? .zero).description, parameters: first.parameters,
            profile: Profile(matching: first.parameters), formatVersion: formatVersion,
            provenBits: proven, conjecturedBits: conjectured)
    }
}

/// The id of the circuit this version of zkvm proves with: receipts made for another circuit are refused.
public var circuitID: String { StarkProtocol.circuitDigest(of: CPUCircuit.air).description }
