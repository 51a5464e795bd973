import CSodium

/// The only file that calls libsodium. Everything above it sees Swift types; keeping the C surface in one place
/// makes it auditable and keeps C types out of every public signature.
enum Sodium {
    /// `sodium_init()` selects the fastest BLAKE2b and ChaCha20 code for this CPU and opens the system random
    /// source. A global `let` runs its initializer exactly once, thread-safely, which is what strict concurrency
    /// needs: no mutable global state, no lock of our own.
    private static let initialized: Bool = sodium_init() >= 0

    /// Call before any libsodium function. Cheap after the first time (one atomic load).
    @inline(__always)
    static func ensureInitialized() {
        // sodium_init() fails only when the OS random source cannot be opened; no hash or salt is safe then.
        precondition(initialized, "libsodium could not initialise (no system random source)")
    }

    // MARK: - BLAKE2b

    static let stateByteCount = crypto_generichash_statebytes()
    static let stateAlignment = 64

    /// One-shot BLAKE2b of `length` bytes at `input`, writing `outputLength` (16...64) bytes to `output`.
    @inline(__always)
    static func blake2b(
        output: UnsafeMutableRawPointer, outputLength: Int, input: UnsafeRawPointer?, length: Int
    ) {
        // Only fails for output or key lengths outside libsodium's range, which callers rule out.
        _ = crypto_generichash(
            output.assumingMemoryBound(to: UInt8.self), outputLength,
            input?.assumingMemoryBound(to: UInt8.self), UInt64(length), nil, 0)
    }

    /// Initialises an incremental state in caller-owned memory of `stateByteCount` bytes aligned to 64.
    static func blake2bInit(state: UnsafeMutableRawPointer, outputLength: Int) {
        _ = crypto_generichash_init(
            OpaquePointer(state), nil, 0, outputLength)
    }

    static func blake2bUpdate(state: UnsafeMutableRawPointer, input: UnsafeRawPointer?, length: Int) {
        _ = crypto_generichash_update(
            OpaquePointer(state),
            input?.assumingMemoryBound(to: UInt8.self), UInt64(length))
    }

    static func blake2bFinal(state: UnsafeMutableRawPointer, output: UnsafeMutableRawPointer, outputLength: Int) {
        _ = crypto_generichash_final(
            OpaquePointer(state),
            output.assumingMemoryBound(to: UInt8.self), outputLength)
    }

    // MARK: - Randomness

    /// Fills `buffer` from the operating system's cryptographic generator.
    static func systemRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    /// `randombytes_buf_deterministic`: ChaCha20 (IETF) keystream under `seed` with libsodium's fixed nonce.
    static func deterministicRandom(_ buffer: UnsafeMutableRawBufferPointer, seed: UnsafeRawPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf_deterministic(base, buffer.count, seed.assumingMemoryBound(to: UInt8.self))
    }

    /// The nonce `randombytes_buf_deterministic` uses, so keystream at any offset matches its output.
    static let deterministicNonce: [UInt8] = Array("LibsodiumDRG".utf8)

    /// Writes ChaCha20 (IETF) keystream blocks `block, block + 1, …` under `key` and `nonce` over `buffer`.
    static func chacha20Keystream(
        _ buffer: UnsafeMutableRawBufferPointer, key: UnsafeRawPointer, nonce: UnsafeRawPointer, block: UInt32
    ) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        // libsodium has no keystream-at-counter call, only XOR-at-counter: XOR over zeros is the keystream.
        base.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count)
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        _ = crypto_stream_chacha20_ietf_xor_ic(
            bytes, bytes, UInt64(buffer.count), nonce.assumingMemoryBound(to: UInt8.self), block,
            key.assumingMemoryBound(to: UInt8.self))
    }
}
