import AIR
import Circuit
import Field
import Proof
import Synchronization
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

    // MARK: - 2. The proofs' sizes, and what must fit in them

    // The trace builder makes segments of 2^TraceBuilder.minLogRows to 2^TraceBuilder.maxLogRows rows, all of one
    // size, each with a lookup table of exactly 2^16 rows, and no more rows in all than TraceBuilder.maxTotalRows
    // (so every time fits the circuit's 32-bit gaps); the last segment's proof also holds the memory's closing
    // table. A receipt outside these is not one this zkvm makes, whatever the STARKs say.
    let segments = receipt.segmentProofs
    // A decoded receipt has at least one segment; one built in code may have none.
    guard let logLength = segments.first?.logTraceLength else {
        throw .verificationFailed(.malformedProof("the receipt has no segment proof"))
    }
    guard (minimumLogTraceLength...TraceBuilder.maxLogRows).contains(logLength),
        segments.allSatisfy({ $0.logTraceLength == logLength }),
        segments.enumerated().allSatisfy({ k, proof in
            proof.tables.count == (k == segments.count - 1 ? 3 : 2)
                && proof.tables[1].logTraceLength == LookupCircuit.logRows
        }),
        segments.count << logLength <= TraceBuilder.maxTotalRows
    else {
        throw .verificationFailed(
            .malformedProof(
                "the segments must all have one length in 2^\(minimumLogTraceLength)...2^\(TraceBuilder.maxLogRows) "
                    + "rows, and at most 2^\(TraceBuilder.maxTotalRows.trailingZeroBitCount) in all, each with a "
                    + "lookup table of 2^\(LookupCircuit.logRows) rows, the last with the memory's closing table too"))
    }
    let memoryLog = receipt.memoryLogRows!
    guard memoryLog >= MemoryCircuit.minimumLogRows else {
        throw .verificationFailed(
            .malformedProof(
                "the memory table's 2^\(memoryLog) rows are fewer than 2^\(MemoryCircuit.minimumLogRows)"))
    }

    // Every word of code takes a row of the memory table (with the registers and the state's three), and every journal byte
    // an I/O row: a statement that needs more rows than the proofs have is refused before the verifier builds its
    // side of the buses, which costs time in proportion to the code.
    let image = program.image
    let rows = 1 << logLength
    let codeWords = CircuitStatement.codeWordCount(image)
    guard codeWords + 35 <= 1 << memoryLog, receipt.journal.count < segments.count * rows else {
        throw .verificationFailed(
            .malformedProof(
                "the program's \(codeWords) words of code or the journal's \(receipt.journal.count) bytes do not fit "
                    + "the receipt's proofs"))
    }

    // MARK: - 3. Each proof, in the context drawn from all their boundary commitments

    // A one-segment receipt's proof was proven alone: its boundary columns are in its main commitment, and the
    // context is drawn from its main root.
    let proofs = receipt.segmentProofs
    let alone = proofs.count == 1
    guard let roots = Join.roots(of: proofs) else {
        throw .verificationFailed(.malformedProof("a proof of the receipt has no boundary commitment"))
    }
    let joint = Join.transcript(
        programID: found, journal: receipt.journal, exitCode: receipt.exitCode,
        segmentLogRows: segments.map(\.logTraceLength), memoryLogRows: memoryLog)
    let context = Join.context(joint, boundaryRoots: roots)
    let checks = segments.enumerated().map { k, proof in
        ProofCheck(
            proof: proof,
            statements: CircuitStatement.segmentStatements(
                program: image, exitCode: receipt.exitCode, segment: k, of: segments.count, rows: rows))
    }
    // The proofs are independent given the joint context: they are checked side by side, one a core, and the
    // first one in the receipt's order that fails is reported.
    let failures = Mutex<[VerifierError?]>(Array(repeating: nil, count: checks.count))
    Parallel.forEachChunk(of: checks.count, chunks: checks.count) { range in
        for i in range {
            let check = checks[i]
            do throws(VerifierError) {
                if alone {
                    try verifyBatch(
                        check.proof, statements: check.statements,
                        globalFromMainRoot: { Join.context(joint, boundaryRoots: [$0]) }, policy: policy)
                } else {
                    try verifyBatch(check.proof, statements: check.statements, global: context, policy: policy)
                }
            } catch {
                failures.withLock { $0[i] = error }
            }
        }
    }
    if let failure = failures.withLock({ $0.lazy.compactMap { $0 }.first }) { throw .verificationFailed(failure) }

    // MARK: - 4. The proofs join: their shares of the global bus and the verifier's own entries cancel

    let imbalance: [Fp]
    do {
        imbalance = try CPUCircuit.air.globalImbalances(
            shares: proofs.map(\.globalShares),
            entries: [CircuitStatement.globalEntries(program: image, journal: receipt.journal)],
            challenges: context.challenges)
    } catch {
        throw .verificationFailed(.statementMismatch("\(error)"))
    }
    guard imbalance.allSatisfy(\.isZero) else { throw .verificationFailed(.globalBusUnbalanced("boundary")) }
    return receipt.claim
}

/// One STARK proof of a receipt with the statement the verifier derives for it, table by table.
private struct ProofCheck: Sendable {
    var proof: BatchProof
    var statements: [BatchStatement]
}

/// log₂ of the fewest rows a segment has.
let minimumLogTraceLength = TraceBuilder.minLogRows
