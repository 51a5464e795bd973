/// What can go wrong drawing from or checking against a ``Transcript``.
public enum TranscriptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Query indices were asked for below a bound that is not positive; the domain must hold at least one index.
    case invalidQueryBound(Int)
    /// A negative number of query indices was asked for.
    case invalidQueryCount(Int)
    /// Proof-of-work difficulty must be 0 to 64 bits; use the protocol's own setting, not one read from a proof.
    case proofOfWorkBitsOutOfRange(Int)
    /// The nonce does not give the required leading zero bits for this transcript: the proof did not grind, or
    /// was made for a different statement or parameter set. Reject the proof.
    case insufficientProofOfWork(bits: Int, nonce: UInt64)

    /// A one-line explanation for logs and command-line messages.
    public var description: String {
        switch self {
        case .invalidQueryBound(let n): return "query indices need a positive bound, got \(n)"
        case .invalidQueryCount(let k): return "cannot draw \(k) query indices"
        case .proofOfWorkBitsOutOfRange(let bits): return "proof-of-work difficulty \(bits) is outside 0...64 bits"
        case .insufficientProofOfWork(let bits, let nonce):
            return "nonce \(nonce) does not give \(bits) leading zero bits"
        }
    }
}
