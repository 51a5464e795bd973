// SHA-256 (FIPS 180-4) for guests, in Embedded Swift: one-shot over a few byte sequences, which is how Merkle
// trees and nullifiers hash (a tag byte, then one or two 32-byte values).

/// SHA-256 of `parts`, concatenated.
func sha256(_ parts: [UInt8]...) -> [UInt8] {
    var hasher = SHA256()
    for part in parts { hasher.update(part) }
    return hasher.finalize()
}

/// An incremental SHA-256.
struct SHA256 {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// The bytes of the block being filled.
    private var block = [UInt8](repeating: 0, count: 64)
    private var used = 0
    private var length: UInt64 = 0

    mutating func update(_ bytes: [UInt8]) {
        length &+= UInt64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            let take = min(64 - used, bytes.count - offset)
            block.withUnsafeMutableBytes { block in
                bytes.withUnsafeBytes { source in
                    block.baseAddress!.advanced(by: used).copyMemory(
                        from: source.baseAddress!.advanced(by: offset), byteCount: take)
                }
            }
            used += take
            offset += take
            if used == 64 {
                compress()
                used = 0
            }
        }
    }

    mutating func finalize() -> [UInt8] {
        // 0x80, zeros up to 8 bytes short of a block boundary, then the length in bits, big-endian.
        let bits = length &* 8
        var padding = [UInt8](repeating: 0, count: (used < 56 ? 56 : 120) - used + 8)
        padding[0] = 0x80
        for i in 0..<8 { padding[padding.count - 1 - i] = UInt8(truncatingIfNeeded: bits >> (8 * i)) }
        update(padding)
        var digest = [UInt8](repeating: 0, count: 32)
        for (i, word) in [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7].enumerated() {
            for j in 0..<4 { digest[4 * i + j] = UInt8(truncatingIfNeeded: word >> (24 - 8 * j)) }
        }
        return digest
    }

    private mutating func compress() {
        block.withUnsafeBufferPointer { block in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for i in 0..<16 {
                    w[i] =
                        UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16
                        | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
                }
                for i in 16..<64 {
                    let s0 = rotate(w[i - 15], 7) ^ rotate(w[i - 15], 18) ^ (w[i - 15] >> 3)
                    let s1 = rotate(w[i - 2], 17) ^ rotate(w[i - 2], 19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, h) = state
                roundConstants.withUnsafeBufferPointer { k in
                    for i in 0..<64 {
                        let t1 =
                            h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i]
                            &+ w[i]
                        let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                        (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                    }
                }
                state = (
                    state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                    state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h
                )
            }
        }
    }
}

@inline(__always)
private func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x &>> n | x &<< (32 - n) }

private let roundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]
