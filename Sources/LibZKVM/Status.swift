import ZKVM

/// The return codes of `include/zkvmc.h`, one per class of failure; the header documents what each means to a C
/// caller. The numbers are part of the C interface and never change.
enum Status: Int32 {
    case ok = 0
    case argument = 1
    case program = 2
    case execution = 3
    case proofRejected = 4
    case receipt = 5
    case programMismatch = 6
    case `internal` = 7
    case programRequired = 8
}

/// A failed call on its way back to C: the code it returns and the one-line message it hands over.
struct Failure: Error {
    var status: Status
    var message: String

    init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A facade error, classified. `invalidProgram` here means the caller's program bytes; a receipt's image that
    /// does not load is classified by ``decodingReceipt(_:)``.
    init(_ error: ZKVMError) {
        let status: Status
        switch error {
        case .invalidProgramID: status = .argument
        case .invalidProgram: status = .program
        case .executionFailed, .didNotExit, .traceTooLong, .unprovable: status = .execution
        case .notAReceipt, .unsupportedReceiptVersion, .malformedReceipt, .malformedProof: status = .receipt
        case .programMismatch: status = .programMismatch
        case .programImageMissing: status = .programRequired
        case .verificationFailed: status = .proofRejected
        // No call of this interface reads a file; a failure to do so would be zkvm's.
        case .cannotReadFile, .internalError: status = .internal
        }
        self.init(status, error.description)
    }

    /// An error of `Receipt(decoding:)`: whatever it is, the receipt bytes are at fault.
    static func decodingReceipt(_ error: ZKVMError) -> Failure {
        Failure(.receipt, "not a readable receipt: \(error)")
    }
}
