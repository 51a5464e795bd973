import Hashing

/// The prover's source of masking randomness: a secret ``RandomStream`` (ChaCha20 under a fresh seed from the
/// operating system) read through a buffer, so that the hundreds of thousands of random elements a
/// zero-knowledge proof needs cost one system call instead of one each.
struct MaskRandomness: RandomNumberGenerator {
    private let stream: RandomStream
    private var buffer = [UInt64](repeating: 0, count: 512)
    private var used = 512
    private var offset = 0

    /// Randomness under a fresh secret seed.
    init() { stream = RandomStream() }

    /// Randomness read from `stream`: reproducible by whoever holds its seed (the boundary columns' masks, which a
    /// segment's two passes must draw alike).
    init(stream: RandomStream) { self.stream = stream }

    mutating func next() -> UInt64 {
        if used == buffer.count {
            buffer.withUnsafeMutableBytes { stream.fill($0, at: offset) }
            offset += buffer.count * 8
            used = 0
        }
        used += 1
        return buffer[used - 1]
    }
}
