import Proof
import RV32IM
import Verifier

/// Everything that can go wrong when loading a program, proving an execution, or reading and verifying a receipt.
///
/// Each case says what failed and what to do about it; ``description`` is one line fit for a command-line error
/// message. Input from outside (a program file, a private input, a receipt) never traps: it ends in one of these
/// cases.
public enum ZKVMError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Files and identifiers

    /// A file could not be read; `reason` says why (missing, a directory, unreadable, too large).
    case cannotReadFile(path: String, reason: String)
    /// The text is not a program id: a program id is 64 hexadecimal digits (32 bytes).
    case invalidProgramID(String)

    // MARK: Proving

    /// The program bytes are not a loadable RV32IM program (the loader's reason is attached). Rebuild the guest
    /// for `-march=rv32im -mabi=ilp32` as a static executable.
    case invalidProgram(RV32IMError)
    /// The guest faulted, or exceeded a memory, input or output limit, after `cycles` instructions. The attached
    /// error is the machine's message; `zkvm run` reproduces the same fault without proving.
    case executionFailed(RV32IMError, cycles: UInt64)
    /// The guest did not call `exit` within `cycleLimit` instructions, so there is no result to prove. Raise
    /// ``ProveOptions/limits`` (`Limits.maxCycles`) if the program is meant to run that long.
    case didNotExit(cycleLimit: UInt64)
    /// The execution needs `rows` trace rows, more than the `maximumRows` a receipt's segments can hold together.
    /// Prove a shorter computation.
    case traceTooLong(rows: Int, maximumRows: Int)
    /// The circuit cannot express something the execution does; the message says what.
    case unprovable(String)
    /// The proving pipeline failed on a valid execution: a bug in zkvm, never the guest's fault. Please report
    /// it with the program and input.
    case internalError(String)

    // MARK: Receipts

    /// The bytes do not start with ``ReceiptFormat/magic``: this is not a zkvm receipt file.
    case notAReceipt
    /// The receipt was written in a format version this zkvm does not read (it reads only `supported`): an older
    /// receipt must be proven again with this zkvm, a newer one verified with the zkvm that made it.
    case unsupportedReceiptVersion(found: UInt16, supported: UInt16)
    /// The receipt's envelope is malformed at byte `offset` (truncated, an impossible count, a non-canonical
    /// field); `reason` says which. The file is corrupt or was cut short.
    case malformedReceipt(offset: Int, reason: String)
    /// The inner STARK proof, which starts at byte `proofOffset` of the receipt, does not decode; the error's
    /// offsets count from the proof's start.
    case malformedProof(ProofDecodingError, proofOffset: Int)

    // MARK: Verification

    /// The receipt proves an execution of another program than the expected one.
    case programMismatch(expected: ProgramID, found: ProgramID)
    /// The receipt leaves out the image of the program with this id, and the verifier was given only the id:
    /// verify it with the program itself (the ``verify(_:expecting:policy:)`` that takes a ``Program``, or
    /// `zkvm verify --program`).
    case programImageMissing(ProgramID)
    /// The STARK verifier rejected the proof for this statement (program, journal, exit code): the receipt is
    /// not a proof of what it claims. Also raised when the proof's parameters are weaker than the verifier's
    /// policy (``VerifierError/parametersRefused(provenBits:required:)``).
    case verificationFailed(VerifierError)

    /// One line naming the failure and, where it helps, what to do.
    public var description: String {
        switch self {
        case .cannotReadFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidProgramID(let text):
            return "invalid program id \"\(text)\": expected 64 hexadecimal digits"
        case .invalidProgram(let error):
            return "not a loadable program: \(error)"
        case .executionFailed(let error, let cycles):
            return "\(error) (after \(cycles) \(cycles == 1 ? "cycle" : "cycles"))"
        case .didNotExit(let limit):
            return "the program did not call exit within \(limit) cycles, so there is nothing to prove; raise the "
                + "cycle limit if it is meant to run longer"
        case .traceTooLong(let rows, let maximum):
            return "the execution needs \(rows) trace rows; a receipt holds at most \(maximum)"
        case .unprovable(let why):
            return "cannot prove this execution: \(why)"
        case .internalError(let why):
            return "internal error while proving (please report it): \(why)"
        case .notAReceipt:
            return "not a zkvm receipt: it does not start with the bytes \"ZKVMRCT\\0\""
        case .unsupportedReceiptVersion(let found, let supported):
            let remedy = found < supported ? "prove the program again with this zkvm" : "use the zkvm that made it"
            return "receipt format version \(found) is not supported; this zkvm reads version \(supported) only: "
                + remedy
        case .malformedReceipt(let offset, let reason):
            return "malformed receipt at byte \(offset): \(reason)"
        case .malformedProof(let error, let proofOffset):
            return "malformed STARK proof (starting at byte \(proofOffset) of the receipt): \(error)"
        case .programMismatch(let expected, let found):
            return "the proof is about program \(found), not the expected program \(expected)"
        case .programImageMissing(let id):
            return "the receipt leaves out the image of program \(id); verifying it needs the program itself, not "
                + "only its id"
        case .verificationFailed(let error):
            // Weak parameters are a policy decision, not a forgery: say so plainly.
            if case .parametersRefused = error { return "\(error)" }
            return "invalid proof: \(error)"
        }
    }
}
