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
/// A receipt that leaves the program image out (``Receipt/includesImage`` false) cannot be checked against an id
/// alone: verify it with the ``Program``.
///
/// - Throws: ``ZKVMError/programMismatch(expected:found:)`` when the receipt is about another program,
///   ``ZKVMError/programImageMissing(_:)`` when it is about this one but leaves its image out, or
///   ``ZKVMError/verificationFailed(_:)`` with the verifier's reason (a false statement, a tampered proof, a
///   proof for another circuit, or parameters weaker than `policy`).
public func verify(
    _ receipt: Receipt, expecting programID: ProgramID, policy: VerifierPolicy = .default
) throws(ZKVMError) -> Statement {
    try verify(receipt, expecting: programID, program: nil, policy: policy)
}

/// Checks that `receipt` proves an execution of `program`: ``verify(_:expecting:policy:)`` with the program's
/// id, and the only way to verify a receipt that leaves the program image out. The statement is derived from
/// `program`, never from an image in the receipt.
///
/// - Throws: ``ZKVMError/programMismatch(expected:found:)`` or ``ZKVMError/verificationFailed(_:)``.
public func verify(
    _ receipt: Receipt, expecting program: Program, policy: VerifierPolicy = .default
) throws(ZKVMError) -> Statement {
    try verify(receipt, expecting: program.id, program: program, policy: policy)
}

/// The verifier behind both overloads: `trusted` is the verifier's own copy of the program, when it has one.
private func verify(
    _ receipt: Receipt, expecting programID: ProgramID, program trusted: Program?, policy: VerifierPolicy
) throws(ZKVMError) -> Statement {
    // MARK: - 1. The program is the expected one, and its image is at hand

    let found = receipt.programID
    guard found == programID else { throw .programMismatch(expected: programID, found: found) }
    // An image in the receipt has just been shown to hash to the expected id; the verifier's own copy is used
    // when there is one, so that a receipt without image verifies exactly as one with it.
    guard let program = trusted ?? receipt.program else { throw .programImageMissing(found) }

    // MARK: - 2. The circuit's range of trace lengths, and what must fit in the trace

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

    // Every word of code takes a row of the memory table (with the 32 registers), and every journal byte an I/O
    // row: a statement that needs more rows than the proof has is refused before the verifier builds its side of
    // the buses, which costs time in proportion to the code.
    let image = program.image
    let rows = 1 << logLength
    let codeWords = CircuitStatement.codeWordCount(image)
    guard codeWords + 32 <= rows, receipt.journal.count < rows else {
        throw .verificationFailed(
            .malformedProof(
                "the program's \(codeWords) words of code or the journal's "
                    + "\(receipt.journal.count) bytes do not fit a trace of 2^\(logLength) rows"))
    }

    // MARK: - 3. The STARK proof, for the statement derived from the program, journal and exit code

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

/// log₂ of the fewest rows the circuit's traces have: its byte and range tables take 2^16.
let minimumLogTraceLength = 16
