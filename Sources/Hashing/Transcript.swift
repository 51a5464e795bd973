import Field

/// The Fiat-Shamir transcript: prover and verifier absorb the same labelled messages in the same order and draw
/// the same challenges, so the verifier's challenges are as unpredictable to the prover as an interactive
/// verifier's would be.
///
/// The state is a 32-byte BLAKE2b-256 chaining value. Every operation hashes a one-byte tag, the current state,
/// and length-prefixed fields into the next state, so a challenge depends on everything absorbed before it,
/// absorptions cannot be re-split or re-labelled without changing it, and drawing a challenge moves the state
/// on. Challenges are 64-byte BLAKE2b-512 outputs reduced mod p. `docs/transcript.md` specifies every byte.
///
/// A value type: copying a transcript forks it, which is how a verifier tries alternatives without side effects.
public struct Transcript: Sendable {
    enum Tag: UInt8 {
        case domain = 0x10
        case bytes = 0x11
        case elements = 0x12
        case digest = 0x13
        case challenge = 0x14
        case challengeOutput = 0x15
        case queries = 0x16
        case queryBlock = 0x17
        case proofOfWork = 0x18
        case proofOfWorkNonce = 0x19
    }

    /// The chaining value: a digest of every operation so far. Public so that implementations can be compared
    /// step by step; it is not secret.
    public internal(set) var state: Digest

    /// A transcript for the protocol named `domain` (for example `"zkvm-stark-v1"`): different domains never
    /// share challenges.
    public init(domain: String) {
        var h = Blake2b.Hasher()
        h.update([Tag.domain.rawValue])
        Transcript.updateLengthPrefixed(&h, Array(domain.utf8))
        state = h.finalizeDigest()
    }

    // MARK: - Absorbing

    /// Absorbs `bytes` under `label`.
    public mutating func absorb<Bytes: Collection<UInt8>>(_ label: String, bytes: Bytes) {
        var h = begin(.bytes, label)
        Transcript.updateLengthPrefixed(&h, Array(bytes))
        state = h.finalizeDigest()
    }

    /// Absorbs an integer as its 8 little-endian bytes, under `label`: the same as ``absorb(_:bytes:)``.
    public mutating func absorb(_ label: String, integer: UInt64) {
        withUnsafeBytes(of: integer.littleEndian) { absorb(label, bytes: $0) }
    }

    /// Absorbs a digest (a Merkle root, a circuit id) under `label`.
    public mutating func absorb(_ label: String, digest: Digest) {
        var h = begin(.digest, label)
        h.update(digest)
        state = h.finalizeDigest()
    }

    /// Absorbs one field element under `label`: the same as ``absorb(_:elements:)`` with one element.
    public mutating func absorb(_ label: String, element: Fp) {
        absorb(label, elements: CollectionOfOne(element))
    }

    /// Absorbs field elements, in canonical 32-byte form, under `label`.
    public mutating func absorb<Elements: Collection<Fp>>(_ label: String, elements: Elements) {
        var h = begin(.elements, label)
        h.update(littleEndian: UInt64(elements.count))
        // Encode in batches: one libsodium call per 64 elements instead of one per element.
        let batch = 64
        withUnsafeTemporaryAllocation(byteCount: batch * Fp.byteCount, alignment: 16) { buffer in
            var filled = 0
            for x in elements {
                x.writeCanonicalBytes(to: buffer.baseAddress! + filled * Fp.byteCount)
                filled += 1
                if filled == batch {
                    h.update(UnsafeRawBufferPointer(buffer))
                    filled = 0
                }
            }
            h.update(UnsafeRawBufferPointer(rebasing: buffer[..<(filled * Fp.byteCount)]))
        }
        state = h.finalizeDigest()
    }

    // MARK: - Drawing

    /// Draws a challenge in F_p: uniform up to a bias below 2^-260, fixed by everything absorbed so far.
    public mutating func challenge(_ label: String) -> Fp {
        state = begin(.challenge, label).finalizeDigest()
        var out = Blake2b.Hasher(outputByteCount: Blake2b.wideByteCount)
        out.update([Tag.challengeOutput.rawValue])
        out.update(state)
        return Fp(reducing: out.finalize())
    }

    /// Draws `count` challenges, each exactly as one ``challenge(_:)`` call with the same label.
    public mutating func challenges(_ label: String, count: Int) -> [Fp] {
        precondition(count >= 0, "negative challenge count")
        return (0..<count).map { _ in challenge(label) }
    }

    /// Draws `count` indices, each uniform in `0 ..< bound`, independent, repeats possible.
    ///
    /// Exactly uniform for every bound: 64-bit words at or above the largest multiple of `bound` are rejected
    /// (never, for a power of two), the rest are reduced mod `bound`.
    ///
    /// - Throws: ``TranscriptError/invalidQueryBound(_:)`` when `bound < 1`,
    ///   ``TranscriptError/invalidQueryCount(_:)`` when `count < 0`.
    public mutating func queryIndices(_ label: String, count: Int, below bound: Int) throws(TranscriptError) -> [Int] {
        guard bound >= 1 else { throw .invalidQueryBound(bound) }
        guard count >= 0 else { throw .invalidQueryCount(count) }
        var h = begin(.queries, label)
        h.update(littleEndian: UInt64(count))
        h.update(littleEndian: UInt64(bound))
        state = h.finalizeDigest()

        let n = UInt64(bound)
        // 2^64 mod n, computed without 2^64: (2^64 − n) mod n.
        let rejectFrom = 0 &- ((0 &- n) % n)
        var indices: [Int] = []
        // A hostile or mistaken count must not turn into one giant allocation up front.
        indices.reserveCapacity(min(count, 1 << 16))
        var block: UInt64 = 0
        while indices.count < count {
            var b = Blake2b.Hasher(outputByteCount: Blake2b.wideByteCount)
            b.update([Tag.queryBlock.rawValue])
            b.update(state)
            b.update(littleEndian: block)
            let bytes = b.finalize()
            for t in 0..<8 where indices.count < count {
                var w: UInt64 = 0
                for i in 0..<8 { w |= UInt64(bytes[8 * t + i]) << UInt64(8 * i) }
                // rejectFrom == 0 stands for 2^64: nothing is rejected.
                if rejectFrom == 0 || w < rejectFrom { indices.append(Int(w % n)) }
            }
            block += 1
        }
        return indices
    }

    // MARK: - Encoding

    func begin(_ tag: Tag, _ label: String) -> Blake2b.Hasher {
        var h = Blake2b.Hasher()
        h.update([tag.rawValue])
        h.update(state)
        Transcript.updateLengthPrefixed(&h, Array(label.utf8))
        return h
    }

    static func updateLengthPrefixed(_ h: inout Blake2b.Hasher, _ bytes: [UInt8]) {
        h.update(littleEndian: UInt64(bytes.count))
        h.update(bytes)
    }
}
