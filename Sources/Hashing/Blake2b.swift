/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`, unkeyed.
///
/// 32-byte outputs (``Digest``) serve Merkle trees and the transcript state; 64-byte outputs serve challenges,
/// because 512 uniform bits reduced mod p are unbiased to 2^-260 where 256 bits would not be.
public enum Blake2b {
    /// The size of a BLAKE2b-256 output.
    public static let digestByteCount = 32
    /// The size of the widest output, BLAKE2b-512.
    public static let wideByteCount = 64
    /// The output sizes libsodium accepts.
    public static let outputByteCounts = 16...64

    /// BLAKE2b-256 of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Digest {
        withContiguousBytes(bytes) { hash($0) }
    }

    /// BLAKE2b-256 of the bytes in `buffer`.
    @inlinable
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> Digest {
        var out = Digest.zero
        withUnsafeMutableBytes(of: &out) { hash(buffer.baseAddress, count: buffer.count, into: $0.baseAddress!) }
        return out
    }

    /// BLAKE2b-256 of `count` bytes at `input`, written as 32 bytes to `output`. The allocation-free form the
    /// Merkle tree uses for every leaf and node.
    public static func hash(_ input: UnsafeRawPointer?, count: Int, into output: UnsafeMutableRawPointer) {
        Sodium.ensureInitialized()
        Sodium.blake2b(output: output, outputLength: digestByteCount, input: input, length: count)
    }

    /// BLAKE2b with an output of `outputByteCount` bytes (16 to 64; BLAKE2b-512 for 64).
    ///
    /// Different output lengths are different functions, not prefixes of one another: the length is part of
    /// BLAKE2b's parameter block.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes, outputByteCount: Int) -> [UInt8] {
        precondition(outputByteCounts.contains(outputByteCount), "BLAKE2b outputs 16 to 64 bytes")
        Sodium.ensureInitialized()
        return withContiguousBytes(bytes) { input in
            [UInt8](unsafeUninitializedCapacity: outputByteCount) { out, count in
                Sodium.blake2b(
                    output: out.baseAddress!, outputLength: outputByteCount, input: input.baseAddress,
                    length: input.count)
                count = outputByteCount
            }
        }
    }

    /// BLAKE2b-512 of `bytes`: the 64-byte output challenges are reduced from.
    public static func wideHash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        hash(bytes, outputByteCount: wideByteCount)
    }

    static func withContiguousBytes<Bytes: Sequence<UInt8>, R>(
        _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        if let r = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(bytes).withUnsafeBytes(body)
    }
}

extension Blake2b {
    /// Incremental BLAKE2b: feed the input in pieces, get the same output as hashing it whole.
    ///
    /// Non-copyable because it owns the 384-byte libsodium state, allocated once with the 64-byte alignment
    /// libsodium declares for it.
    public struct Hasher: ~Copyable {
        private let state: UnsafeMutableRawPointer
        /// The output size this hasher was created for.
        public let outputByteCount: Int

        /// A hasher producing `outputByteCount` bytes (16 to 64; 32 by default).
        public init(outputByteCount: Int = Blake2b.digestByteCount) {
            precondition(Blake2b.outputByteCounts.contains(outputByteCount), "BLAKE2b outputs 16 to 64 bytes")
            Sodium.ensureInitialized()
            self.outputByteCount = outputByteCount
            state = .allocate(byteCount: Sodium.stateByteCount, alignment: Sodium.stateAlignment)
            Sodium.blake2bInit(state: state, outputLength: outputByteCount)
        }

        deinit { state.deallocate() }

        /// Appends `bytes` to the input.
        public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
            Blake2b.withContiguousBytes(bytes) { update($0) }
        }

        /// Appends the bytes in `buffer` to the input.
        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            Sodium.blake2bUpdate(state: state, input: buffer.baseAddress, length: buffer.count)
        }

        /// Appends `value` as 8 little-endian bytes.
        public mutating func update(littleEndian value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { update($0) }
        }

        /// Appends a 32-byte digest.
        public mutating func update(_ digest: Digest) {
            withUnsafeBytes(of: digest) { update($0) }
        }

        /// Finishes and returns `outputByteCount` bytes.
        public consuming func finalize() -> [UInt8] {
            let n = outputByteCount
            let s = state
            return [UInt8](unsafeUninitializedCapacity: n) { out, count in
                Sodium.blake2bFinal(state: s, output: out.baseAddress!, outputLength: n)
                count = n
            }
        }

        /// Finishes a 32-byte hasher and returns its output as a ``Digest``.
        public consuming func finalizeDigest() -> Digest {
            precondition(outputByteCount == Digest.byteCount, "finalizeDigest needs a 32-byte hasher")
            var out = Digest.zero
            let s = state
            withUnsafeMutableBytes(of: &out) {
                Sodium.blake2bFinal(state: s, output: $0.baseAddress!, outputLength: 32)
            }
            return out
        }
    }
}
