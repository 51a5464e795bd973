import Circuit
import Proof
import Verifier

/// Checks that `receipt` proves an execution of the program with id `programID`, and returns what it proves.
///
/// The verifier trusts nothing the receipt says about itself: it recomputes the program id from the receipt's
/// program image and compares it with `programID`, derives the program table and initial memory from that
/// image, binds the receipt's journal and exit code as the statement, and checks the STARK proof for the RV32IM
/// circuit of this zkvm under `policy` (by default at least 100 proven bits, whatever parameters the proof
/// chose).
///
/// ```swift
/// let statement = try verify(try Receipt(decoding: bytes), expecting: try ProgramID(hex: pinnedID))
/// use(statement.journal)
/// ```
///
/// - Throws: ``ZKVMError/programMismatch(expected:found:)`` when the receipt is about another program, or
///   ``ZKVMError/verificationFailed(_:)`` with the verifier's reason (a false statement, a tampered proof, a
///   proof for another circuit, or parameters weaker than `policy`).
public func verify(
    _ receipt: Receipt, expecting programID: ProgramID, policy: VerifierPolicy = .default
) throws(ZKVMError) -> Statement {
    // MARK: - 1. The program is the expected one

    let found = receipt.program.id
    guard found == programID else { throw .programMismatch(expected: programID, found: found) }

    // MARK: - 2. The circuit's range of trace lengths

    // Every honest trace holds the circuit's 2^16-entry byte and range tables, and the trace builder makes no more
    // than 2^TraceBuilder.maxLogRows rows; a proof outside that range is not one this zkvm makes, whatever the
    // STARK says.
    let logLength = receipt.proof.logTraceLength
    guard (minimumLogTraceLength...TraceBuilder.maxLogRows).contains(logLength) else {
        throw .verificationFailed(
            .malformedProof(
                "trace length 2^\(logLength) is outside the circuit's 2^\(minimumLogTraceLength)"
                    + "...2^\(TraceBuilder.maxLogRows)"))
    }

    // MARK: - 3. The STARK proof, for the statement derived from the receipt

    let image = receipt.program.image
    do {
        try Verifier.verify(
            proof: receipt.proof, air: CPUCircuit.air,
            publicInputs: CircuitStatement.publicInputs(program: image, exitCode: receipt.exitCode),
            publicBusEntries: CircuitStatement.publicBusEntries(program: image, journal: receipt.journal),
            policy: policy)
    } catch {
        throw .verificationFailed(error)
    }
    return receipt.claim
}

/// Checks that `receipt` proves an execution of `program`: ``verify(_:expecting:policy:)`` with the program's
/// id.
public func verify(
    _ receipt: Receipt, expecting program: Program, policy: VerifierPolicy = .default
) throws(ZKVMError) -> Statement {
    try verify(receipt, expecting: program.id, policy: policy)
}

/// log₂ of the fewest rows the circuit's traces have: its byte and range tables take 2^16.
let minimumLogTraceLength = 16
