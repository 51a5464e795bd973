/// A cryptographic `RandomNumberGenerator` backed by libsodium's `randombytes_buf`, which reads the operating
/// system's generator (`getrandom` on Linux).
///
/// Use it for everything a proof must hide: Merkle salts, masking polynomials, random padding. Pass it wherever
/// an API takes a generator, e.g. `Fp.random(using: &secure)`. For large amounts (a salt per leaf of a big
/// tree), expand one seed with ``RandomStream`` instead: one system call per 256 bytes adds up.
public struct SecureRandom: RandomNumberGenerator, Sendable {
    /// A generator; it holds no state, every value comes straight from the system.
    public init() {}

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { SecureRandom.fill($0) }
        return value
    }

    /// Fills `buffer` with random bytes from the operating system.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        Sodium.ensureInitialized()
        Sodium.systemRandom(buffer)
    }

    /// `count` random bytes from the operating system.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }
}

/// A long pseudorandom byte stream expanded from one secret 32-byte seed: the fast way to make many salts.
///
/// The stream is the ChaCha20 (IETF) keystream under the seed with the nonce `"LibsodiumDRG"`, which is exactly
/// what `randombytes_buf_deterministic(buf, size, seed)` writes: the first `size` bytes of this stream. Unlike
/// that function, any window of the stream can be produced on its own (ChaCha20 has a block counter), so
/// threads fill disjoint parts of one buffer in parallel and the result does not depend on how work was split.
///
/// Security rests on the seed: ``init()`` draws it from ``SecureRandom``, and nothing derived from it is
/// distinguishable from random while the seed stays secret. ``init(seed:)`` is for reproducible tests only.
/// The stream is 2^38 bytes (256 GiB) long, ChaCha20's 32-bit block counter times 64-byte blocks.
public struct RandomStream: Sendable {
    /// The size of a seed in bytes (`randombytes_SEEDBYTES`).
    public static let seedByteCount = 32
    /// The length of the stream in bytes.
    public static let length = 1 << 38

    private let seed: Digest

    /// A stream under a fresh seed from the operating system's generator.
    public init() {
        var seed = Digest.zero
        withUnsafeMutableBytes(of: &seed) { SecureRandom.fill($0) }
        self.seed = seed
    }

    /// A reproducible stream under a caller-chosen seed of exactly 32 bytes. Never use a fixed seed for
    /// anything secret: the salts it makes hide nothing from someone who knows the seed.
    public init<Bytes: Collection<UInt8>>(seed: Bytes) throws(HashingError) {
        self.seed = try Digest(bytes: seed)
    }

    /// Fills `buffer` with the stream's bytes `offset ..< offset + buffer.count`.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && buffer.count <= RandomStream.length - offset, "window outside the stream")
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        Sodium.ensureInitialized()
        withUnsafeBytes(of: seed) { key in
            Sodium.deterministicNonce.withUnsafeBytes { nonce in
                var written = 0
                var block = offset / 64
                let skip = offset % 64
                if skip != 0 {
                    // A window starting inside a block: make that block whole, keep its tail.
                    var first = (Digest.zero, Digest.zero)
                    withUnsafeMutableBytes(of: &first) { tmp in
                        Sodium.chacha20Keystream(
                            tmp, key: key.baseAddress!, nonce: nonce.baseAddress!, block: UInt32(block))
                        written = min(64 - skip, buffer.count)
                        base.copyMemory(from: tmp.baseAddress! + skip, byteCount: written)
                    }
                    block += 1
                }
                guard written < buffer.count else { return }
                let rest = UnsafeMutableRawBufferPointer(start: base + written, count: buffer.count - written)
                Sodium.chacha20Keystream(rest, key: key.baseAddress!, nonce: nonce.baseAddress!, block: UInt32(block))
            }
        }
    }

    /// The stream's bytes `offset ..< offset + count`.
    public func bytes(count: Int, at offset: Int = 0) -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0, at: offset) }
        return out
    }

    /// `randombytes_buf_deterministic` called directly, for tests that pin ``fill(_:at:)`` to it.
    public func _libsodiumDeterministicBytes(count: Int) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        withUnsafeBytes(of: seed) { key in
            out.withUnsafeMutableBytes { Sodium.deterministicRandom($0, seed: key.baseAddress!) }
        }
        return out
    }
}
