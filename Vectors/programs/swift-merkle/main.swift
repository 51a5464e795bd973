// Merkle-path membership, the privacy-chain pattern, as a Swift guest: proves that a secret note is a leaf of the
// tree whose root is published, without saying which leaf, and publishes a nullifier that marks the note as spent.
//
// Input:   secret (32 bytes) | leaf index (u32 LE) | depth (u32 LE, at most 32) | depth sibling hashes (32 each)
// Journal: root (32 bytes) | nullifier (32 bytes)
// Hashes:  leaf = SHA-256(0x00 | secret), node = SHA-256(0x01 | left | right), nullifier = SHA-256(0x02 | secret)
// Exit:    0, or 1 when the input is too short or its depth above 32 (nothing is committed then).

@main
struct MerkleMembership: ZKVMGuest {
    static func main() -> Int32 {
        let input = ZKVM.readInput()
        guard input.count >= 40 else { return 1 }
        let secret = Array(input[0..<32])
        let index = littleEndianWord(input, at: 32)
        let depth = Int(littleEndianWord(input, at: 36))
        guard depth <= 32, input.count == 40 + 32 * depth else { return 1 }

        var node = sha256([0x00], secret)
        for level in 0..<depth {
            let sibling = Array(input[40 + 32 * level..<72 + 32 * level])
            node = index >> level & 1 == 1 ? sha256([0x01], sibling, node) : sha256([0x01], node, sibling)
        }
        ZKVM.commit(node)
        ZKVM.commit(sha256([0x02], secret))
        return 0
    }

    static func littleEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
