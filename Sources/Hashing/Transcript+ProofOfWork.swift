import Field

/// Proof-of-work grinding: before drawing query indices the prover finds a nonce whose hash with the transcript
/// state starts with `bits` zero bits, so every attempt at re-rolling the queries costs an attacker 2^bits hashes.
///
/// The nonce is valid when `H(0x18 ‖ state ‖ bits as one byte ‖ nonce as 8 little-endian bytes)` begins with
/// `bits` zero bits, reading the digest's bytes in order and each byte from its most significant bit. Once
/// checked, it is absorbed, so the queries depend on it.
extension Transcript {
    /// The largest supported difficulty; the test reads the digest's first 8 bytes.
    public static let maximumProofOfWorkBits = 64

    /// Whether `nonce` meets `bits` of difficulty at the current state. Does not change the transcript.
    /// False for a difficulty outside `0...64`.
    public func proofOfWorkIsValid(bits: Int, nonce: UInt64) -> Bool {
        guard (0...Transcript.maximumProofOfWorkBits).contains(bits) else { return false }
        var input = proofOfWorkPrefix(bits: bits)
        withUnsafeBytes(of: nonce.littleEndian) { input.append(contentsOf: $0) }
        return Transcript.leadingZeroBits(Blake2b.hash(input)) >= bits
    }

    /// The smallest nonce meeting `bits` of difficulty, searched on all cores. Expected cost 2^bits hashes
    /// (about 2^bits × 180 ns divided by the number of cores). Does not change the transcript.
    ///
    /// Returning the smallest nonce, not the first one any thread finds, keeps proofs reproducible whatever the
    /// machine.
    public func findProofOfWork(bits: Int) -> UInt64 {
        precondition((0...Transcript.maximumProofOfWorkBits).contains(bits), "difficulty outside 0...64 bits")
        let prefix = proofOfWorkPrefix(bits: bits)
        // Rounds of `chunks` consecutive ranges. Small rounds for easy targets keep latency low; ranges of 2^14
        // for hard ones keep the threads' start-up cost negligible.
        let chunkSize = UInt64(min(1 << 14, max(64, (1 << min(bits, 40)) / 16)))
        let chunks = 8
        let notFound = UInt64.max
        var base: UInt64 = 0
        while true {
            var hits = [UInt64](repeating: notFound, count: chunks)
            hits.withUnsafeMutableBufferPointer { buffer in
                let results = SharedPointer(base: buffer.baseAddress!)
                let start = base
                // Chunk c writes only results[c].
                Parallel.forEachChunk(of: chunks, chunks: chunks) { range in
                    let c = range.lowerBound
                    let first = start &+ UInt64(c) &* chunkSize
                    results.base[c] =
                        Transcript.scan(prefix: prefix, bits: bits, from: first, count: chunkSize)
                        ?? notFound
                }
            }
            if let hit = hits.first(where: { $0 != notFound }) { return hit }
            base &+= UInt64(chunks) &* chunkSize
        }
    }

    /// Prover side: finds the smallest valid nonce, absorbs it, and returns it for the proof.
    public mutating func grind(bits: Int) -> UInt64 {
        let nonce = findProofOfWork(bits: bits)
        absorbProofOfWork(bits: bits, validNonce: nonce)
        return nonce
    }

    /// Verifier side: checks `nonce` against `bits` (the verifier's own setting) and absorbs it.
    ///
    /// - Throws: ``TranscriptError/proofOfWorkBitsOutOfRange(_:)`` or
    ///   ``TranscriptError/insufficientProofOfWork(bits:nonce:)``; the transcript is unchanged then.
    public mutating func verifyProofOfWork(bits: Int, nonce: UInt64) throws(TranscriptError) {
        guard (0...Transcript.maximumProofOfWorkBits).contains(bits) else { throw .proofOfWorkBitsOutOfRange(bits) }
        guard proofOfWorkIsValid(bits: bits, nonce: nonce) else {
            throw .insufficientProofOfWork(bits: bits, nonce: nonce)
        }
        absorbProofOfWork(bits: bits, validNonce: nonce)
    }

    private mutating func absorbProofOfWork(bits: Int, validNonce nonce: UInt64) {
        var h = Blake2b.Hasher()
        h.update([Tag.proofOfWorkNonce.rawValue])
        h.update(state)
        h.update([UInt8(bits)])
        h.update(littleEndian: nonce)
        state = h.finalizeDigest()
    }

    private func proofOfWorkPrefix(bits: Int) -> [UInt8] {
        [Tag.proofOfWork.rawValue] + state.bytes + [UInt8(bits)]
    }

    /// The first nonce in `first ..< first + count` meeting the target, hashing in one reused buffer.
    private static func scan(prefix: [UInt8], bits: Int, from first: UInt64, count: UInt64) -> UInt64? {
        let length = prefix.count + 8
        return withUnsafeTemporaryAllocation(byteCount: length, alignment: 16) { scratch -> UInt64? in
            let input = scratch.baseAddress!
            prefix.withUnsafeBytes { input.copyMemory(from: $0.baseAddress!, byteCount: prefix.count) }
            var out = Digest.zero
            for i in 0..<count {
                let nonce = first &+ i
                (input + prefix.count).storeBytes(of: nonce.littleEndian, as: UInt64.self)
                withUnsafeMutableBytes(of: &out) { Blake2b.hash(input, count: length, into: $0.baseAddress!) }
                if leadingZeroBits(out) >= bits { return nonce }
            }
            return nil
        }
    }

    /// Leading zero bits of the digest's first 8 bytes read as a big-endian number (bytes in order, each from
    /// its most significant bit).
    static func leadingZeroBits(_ digest: Digest) -> Int {
        // w0 holds bytes 0..<8 in memory order; bigEndian-from-memory makes byte 0 the most significant.
        UInt64(bigEndian: digest.w0).leadingZeroBitCount
    }
}
