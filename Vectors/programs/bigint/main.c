/*
 * 256-bit modular arithmetic with Montgomery multiplication (eight 32-bit limbs, CIOS).
 *
 * Input:   m | a | b, each 32 bytes little-endian, with m odd and a, b < m
 * Journal: (a + b) mod m | (a * b) mod m | a^b mod m, each 32 bytes little-endian
 * Exit:    1 if the input is short, 2 if a or b is not below m, 3 if m is even or 1
 */
#include "zkvm.h"

#define LIMBS 8
typedef struct { uint32_t limb[LIMBS]; } u256;

static uint32_t add(u256 *r, const u256 *a, const u256 *b) {
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; i++) {
        carry += (uint64_t)a->limb[i] + b->limb[i];
        r->limb[i] = (uint32_t)carry;
        carry >>= 32;
    }
    return (uint32_t)carry;
}

static void sub(u256 *r, const u256 *a, const u256 *b) {
    uint32_t borrow = 0;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t d = (uint64_t)a->limb[i] - b->limb[i] - borrow;
        r->limb[i] = (uint32_t)d;
        borrow = (uint32_t)(d >> 63);
    }
}

static int at_least(const u256 *a, const u256 *b) {
    for (int i = LIMBS - 1; i >= 0; i--) {
        if (a->limb[i] != b->limb[i]) return a->limb[i] > b->limb[i];
    }
    return 1;
}

static void add_mod(u256 *r, const u256 *a, const u256 *b, const u256 *m) {
    uint32_t carry = add(r, a, b);
    if (carry || at_least(r, m)) sub(r, r, m);
}

/* r = a * b / 2^256 mod m; minv = -m^-1 mod 2^32. */
static void mont_mul(u256 *r, const u256 *a, const u256 *b, const u256 *m, uint32_t minv) {
    uint32_t t[LIMBS + 2] = {0};
    for (int i = 0; i < LIMBS; i++) {
        uint64_t c = 0;
        for (int j = 0; j < LIMBS; j++) {
            c += (uint64_t)t[j] + (uint64_t)a->limb[j] * b->limb[i];
            t[j] = (uint32_t)c;
            c >>= 32;
        }
        c += t[LIMBS];
        t[LIMBS] = (uint32_t)c;
        t[LIMBS + 1] = (uint32_t)(c >> 32);
        uint32_t q = t[0] * minv;
        c = (uint64_t)t[0] + (uint64_t)q * m->limb[0];
        c >>= 32;
        for (int j = 1; j < LIMBS; j++) {
            c += (uint64_t)t[j] + (uint64_t)q * m->limb[j];
            t[j - 1] = (uint32_t)c;
            c >>= 32;
        }
        c += t[LIMBS];
        t[LIMBS - 1] = (uint32_t)c;
        t[LIMBS] = t[LIMBS + 1] + (uint32_t)(c >> 32);
    }
    u256 out;
    for (int i = 0; i < LIMBS; i++) out.limb[i] = t[i];
    if (t[LIMBS] || at_least(&out, m)) sub(&out, &out, m);
    *r = out;
}

static int read_u256(u256 *x) {
    uint8_t raw[32];
    if (zkvm_read_all(raw, 32) != 32) return 0;
    for (int i = 0; i < LIMBS; i++) {
        x->limb[i] = raw[4 * i] | raw[4 * i + 1] << 8 | raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24;
    }
    return 1;
}

static void commit_u256(const u256 *x) {
    uint8_t raw[32];
    for (int i = 0; i < 32; i++) raw[i] = (uint8_t)(x->limb[i / 4] >> (8 * (i % 4)));
    zkvm_commit(raw, 32);
}

int main(void) {
    u256 m, a, b, one = {{1}};
    if (!read_u256(&m) || !read_u256(&a) || !read_u256(&b)) return 1;
    if ((m.limb[0] & 1) == 0 || !at_least(&m, &(u256){{2}})) return 3;
    if (at_least(&a, &m) || at_least(&b, &m)) return 2;

    uint32_t inverse = m.limb[0]; /* Newton's iteration doubles the correct low bits each step: 3, 6, ..., 48 */
    for (int i = 0; i < 4; i++) inverse *= 2 - m.limb[0] * inverse;
    uint32_t minv = -inverse;

    u256 r2 = one; /* 2^512 mod m by doubling, the constant that moves values into Montgomery form */
    for (int i = 0; i < 512; i++) add_mod(&r2, &r2, &r2, &m);

    u256 sum, am, bm, product, power;
    add_mod(&sum, &a, &b, &m);
    mont_mul(&am, &a, &r2, &m, minv);
    mont_mul(&bm, &b, &r2, &m, minv);
    mont_mul(&product, &am, &bm, &m, minv);
    mont_mul(&product, &product, &one, &m, minv);

    mont_mul(&power, &one, &r2, &m, minv);
    int top = 255; /* square-and-multiply from b's highest set bit: leading zeros change nothing */
    while (top > 0 && !((b.limb[top / 32] >> (top % 32)) & 1)) top--;
    for (int bit = top; bit >= 0; bit--) {
        mont_mul(&power, &power, &power, &m, minv);
        if ((b.limb[bit / 32] >> (bit % 32)) & 1) mont_mul(&power, &power, &am, &m, minv);
    }
    mont_mul(&power, &power, &one, &m, minv);

    commit_u256(&sum);
    commit_u256(&product);
    commit_u256(&power);
    return 0;
}
