/// A 32-byte BLAKE2b-256 output (a transcript state, a circuit id), or a Merkle tree's 26-byte node or root held in
/// the same 32 bytes with the last six zero (``merkleByteCount``).
///
/// Stored inline as four machine words holding the bytes in memory order, so an array of digests is one flat
/// byte buffer that the tree hashes in place, equality is four comparisons, and nothing is heap-allocated.
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    // Raw memory order, not numeric value: word 0 holds bytes 0..<8 exactly as they sit in memory.
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    /// The size of a digest in bytes.
    public static let byteCount = 32

    /// The size of a Merkle tree's digests in bytes: BLAKE2b with a 26-byte output, 208 bits, whose collision
    /// resistance of 104 bits is above the 100 proven bits every proof must reach (`docs/merkle.md`). A proof
    /// carries its nodes and roots at this size; in memory they are digests whose last six bytes are zero.
    public static let merkleByteCount = 26

    /// The digest whose bytes are all zero; a placeholder, never the hash of anything known.
    public static let zero = Digest(words: 0, 0, 0, 0)

    @inlinable
    init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Reads 32 bytes from `source`, which need not be aligned.
    @inlinable
    public init(loadingFrom source: UnsafeRawPointer) {
        self.init(
            words: source.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            source.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            source.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            source.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Reads a Merkle digest's 26 bytes from `source`, which need not be aligned; the last six bytes are zero.
    public init(merkleLoadingFrom source: UnsafeRawPointer) {
        var out = Digest.zero
        withUnsafeMutableBytes(of: &out) {
            $0.baseAddress!.copyMemory(from: source, byteCount: Digest.merkleByteCount)
        }
        self = out
    }

    /// Wraps exactly 26 bytes of a Merkle node or root, for example a root file written by `zkvm segment commit`.
    public init<Bytes: Collection<UInt8>>(merkleBytes bytes: Bytes) throws(HashingError) {
        guard bytes.count == Digest.merkleByteCount else {
            throw .wrongLength(expected: Digest.merkleByteCount, found: bytes.count)
        }
        self = Array(bytes).withUnsafeBytes { Digest(merkleLoadingFrom: $0.baseAddress!) }
    }

    /// The first 26 bytes, as a proof carries a Merkle node or root.
    public var merkleBytes: [UInt8] { Array(bytes.prefix(Digest.merkleByteCount)) }

    /// Whether this can be a Merkle tree's digest: its last six bytes are zero.
    public var isMerkleDigest: Bool { w3 >> 16 == 0 }

    /// Wraps exactly 32 bytes, for example a circuit id read from a proof file.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(HashingError) {
        guard bytes.count == Digest.byteCount else {
            throw .wrongLength(expected: Digest.byteCount, found: bytes.count)
        }
        let array = Array(bytes)
        self = array.withUnsafeBytes { Digest(loadingFrom: $0.baseAddress!) }
    }

    /// Parses 64 hexadecimal digits, as printed by ``description``.
    public init(hex: String) throws(HashingError) {
        try self.init(bytes: Hex.decode(hex))
    }

    /// Writes the 32 bytes to `destination`, which need not be aligned.
    @inlinable
    public func write(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: w0, toByteOffset: 0, as: UInt64.self)
        destination.storeBytes(of: w1, toByteOffset: 8, as: UInt64.self)
        destination.storeBytes(of: w2, toByteOffset: 16, as: UInt64.self)
        destination.storeBytes(of: w3, toByteOffset: 24, as: UInt64.self)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Digest.byteCount) { buffer, count in
            write(to: buffer.baseAddress!)
            count = Digest.byteCount
        }
    }

    /// Lower-case hexadecimal, 64 digits.
    public var description: String { Hex.encode(bytes) }
}

/// 16 secret random bytes hashed into one Merkle leaf so that the root and the sibling paths reveal nothing
/// about unopened rows. Carried in an opening next to the row it hides.
///
/// Sixteen bytes are as many as hiding needs: telling an unopened leaf's digest from a random one takes guessing
/// its salt, 2^128 tries for one leaf and, over all 2^k leaves of a tree at once, 2^(128 − k), far above the
/// proofs' 100 proven bits.
public struct Salt: Hashable, Sendable, CustomStringConvertible {
    // Raw memory order, as in ``Digest``.
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64

    /// The size of a salt in bytes.
    public static let byteCount = 16

    /// Reads 16 bytes from `source`, which need not be aligned.
    @inlinable
    public init(loadingFrom source: UnsafeRawPointer) {
        w0 = source.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    }

    /// Wraps exactly 16 bytes, for example a salt read from a proof file.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(HashingError) {
        guard bytes.count == Salt.byteCount else { throw .wrongLength(expected: Salt.byteCount, found: bytes.count) }
        self = Array(bytes).withUnsafeBytes { Salt(loadingFrom: $0.baseAddress!) }
    }

    /// Parses 32 hexadecimal digits.
    public init(hex: String) throws(HashingError) { try self.init(bytes: Hex.decode(hex)) }

    /// A fresh salt from the operating system's cryptographic generator.
    public static func random() -> Salt {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeMutableBytes { SecureRandom.fill($0) }
        return try! Salt(bytes: bytes)
    }

    /// Writes the 16 bytes to `destination`, which need not be aligned.
    @inlinable
    public func write(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: w0, toByteOffset: 0, as: UInt64.self)
        destination.storeBytes(of: w1, toByteOffset: 8, as: UInt64.self)
    }

    /// The 16 bytes.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Salt.byteCount) { buffer, count in
            write(to: buffer.baseAddress!)
            count = Salt.byteCount
        }
    }

    /// Lower-case hexadecimal, 32 digits.
    public var description: String { Hex.encode(bytes) }
}

extension Digest {
    /// 32 fresh secret bytes from the operating system's generator: a key or seed.
    public static func random() -> Digest {
        var d = Digest.zero
        withUnsafeMutableBytes(of: &d) { SecureRandom.fill($0) }
        return d
    }
}
