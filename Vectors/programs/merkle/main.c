/*
 * Merkle-path membership, the privacy-chain pattern: proves that a secret note is a leaf of the tree whose root
 * is published, without saying which leaf, and publishes a nullifier that marks the note as spent.
 *
 * Input:   secret (32 bytes) | leaf index (u32 LE) | depth (u32 LE, at most 32) | depth sibling hashes (32 each)
 * Journal: root (32 bytes) | nullifier (32 bytes)
 * Hashes:  leaf = SHA-256(0x00 | secret), node = SHA-256(0x01 | left | right), nullifier = SHA-256(0x02 | secret)
 */
#include "sha256.h"
#include "zkvm.h"

static void hash_tagged(uint8_t tag, const uint8_t *a, const uint8_t *b, uint8_t out[32]) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, &tag, 1);
    sha256_update(&ctx, a, 32);
    if (b) sha256_update(&ctx, b, 32);
    sha256_final(&ctx, out);
}

static uint32_t read_u32(void) {
    uint8_t raw[4] = {0};
    if (zkvm_read_all(raw, 4) != 4) zkvm_exit(1);
    return raw[0] | raw[1] << 8 | raw[2] << 16 | (uint32_t)raw[3] << 24;
}

int main(void) {
    uint8_t secret[32], node[32], sibling[32], parent[32], nullifier[32];
    if (zkvm_read_all(secret, 32) != 32) return 1;
    uint32_t index = read_u32();
    uint32_t depth = read_u32();
    if (depth > 32) return 2;
    hash_tagged(0x00, secret, 0, node);
    for (uint32_t level = 0; level < depth; level++) {
        if (zkvm_read_all(sibling, 32) != 32) return 1;
        if ((index >> level) & 1) hash_tagged(0x01, sibling, node, parent);
        else hash_tagged(0x01, node, sibling, parent);
        memcpy(node, parent, 32);
    }
    hash_tagged(0x02, secret, 0, nullifier);
    zkvm_commit(node, 32);
    zkvm_commit(nullifier, 32);
    return 0;
}
