/*
 * IEEE 754 binary64 in software, for RV32IM (no floating-point unit): the compiler-rt functions that Swift code
 * calls for Double (Dictionary and Set size their tables with Double arithmetic), correctly rounded to nearest,
 * ties to even, with subnormals, infinities and NaN (any NaN result is the default quiet NaN). Only integer
 * operations appear here, so nothing in this file calls back into itself.
 *
 * Provided: + - * / (__adddf3, __subdf3, __muldf3, __divdf3), comparisons (__eqdf2, __nedf2, __ltdf2, __ledf2,
 * __gtdf2, __gedf2, __unorddf2), conversions from and to 32-bit integers (__floatsidf, __floatunsidf, __fixdfsi,
 * __fixunsdfsi), negation (__negdf2), and ceil, floor and trunc. Float (binary32), 64-bit integer conversions,
 * square roots and the rest of libm are not: a guest that needs them fails to link, naming the function.
 *
 * SOFTFLOAT_NAME renames every function, so the tests can build this file for the host and compare it with the
 * host's hardware.
 */
#include <stdint.h>

#ifndef SOFTFLOAT_NAME
#define SOFTFLOAT_NAME(name) name
#endif

#define SIGN 0x8000000000000000ull
#define INFINITY_BITS 0x7ff0000000000000ull
#define QUIET_NAN 0x7ff8000000000000ull
#define FRACTION 0x000fffffffffffffull
#define IMPLICIT 0x0010000000000000ull

typedef union {
    double value;
    uint64_t bits;
} float64;

static uint64_t bits_of(double x) {
    float64 u;
    u.value = x;
    return u.bits;
}

static double from_bits(uint64_t bits) {
    float64 u;
    u.bits = bits;
    return u.value;
}

static int is_nan(uint64_t x) { return (x & ~SIGN) > INFINITY_BITS; }
static int is_infinite(uint64_t x) { return (x & ~SIGN) == INFINITY_BITS; }
static int is_zero(uint64_t x) { return (x & ~SIGN) == 0; }

/* The number of leading zero bits of a nonzero value. */
static int leading_zeros(uint64_t x) {
    int n = 0;
    while (!(x & SIGN)) x <<= 1, n++;
    return n;
}

/* A finite nonzero value as significand · 2^(exponent - 1075), the significand with its top bit at bit 52
 * (subnormals are normalised, so their exponent may be zero or negative). */
static void unpack(uint64_t x, int32_t *exponent, uint64_t *significand) {
    int32_t e = (int32_t)((x >> 52) & 0x7ff);
    uint64_t m = x & FRACTION;
    if (e == 0) {
        int shift = leading_zeros(m) - 11;
        m <<= shift;
        e = 1 - shift;
    } else {
        m |= IMPLICIT;
    }
    *exponent = e;
    *significand = m;
}

/* Shifts right, keeping whether any 1 bit was shifted out in bit 0 (the sticky bit). */
static uint64_t shift_right_sticky(uint64_t x, int32_t count) {
    if (count <= 0) return x;
    if (count >= 64) return x != 0;
    return (x >> count) | ((x << (64 - count)) != 0);
}

/* Rounds and packs significand · 2^(e - 1084), the significand below 2^63 with its top bit at bit 62 (so that 10
 * bits below the 53 that remain decide the rounding); e is the biased exponent minus one, so that the implicit
 * bit, added into the exponent field, makes it right, and a carry out of rounding moves to the next binade. */
static uint64_t round_pack(uint64_t sign, int32_t e, uint64_t significand) {
    if (e < 0) {
        significand = shift_right_sticky(significand, -e);
        e = 0;
    }
    if (e >= 0x7ff) return sign | INFINITY_BITS;
    uint64_t rest = significand & 0x3ff;
    uint64_t m = (significand + 0x200) >> 10;
    if (rest == 0x200) m &= ~1ull; /* a tie: to even */
    if ((uint64_t)e + (m >> 52) >= 0x7ff) return sign | INFINITY_BITS;
    return sign | (((uint64_t)e << 52) + m);
}

/* The sum of two finite nonzero values, or of anything through the special cases first. */
static uint64_t add(uint64_t a, uint64_t b) {
    if (is_nan(a) || is_nan(b)) return QUIET_NAN;
    if (is_infinite(a)) return is_infinite(b) && ((a ^ b) & SIGN) ? QUIET_NAN : a;
    if (is_infinite(b)) return b;
    if (is_zero(a)) return is_zero(b) ? (a & b) : b; /* -0 + -0 = -0, otherwise +0 */
    if (is_zero(b)) return a;
    if ((a & ~SIGN) < (b & ~SIGN)) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    /* Now |a| >= |b|. Significands move up by 9 bits: the sum's carry can reach bit 62, not 63. */
    int32_t ea, eb;
    uint64_t ma, mb;
    unpack(a, &ea, &ma);
    unpack(b, &eb, &mb);
    ma <<= 9;
    mb = shift_right_sticky(mb << 9, ea - eb);
    uint64_t sign = a & SIGN;
    uint64_t sum;
    if ((a ^ b) & SIGN) {
        sum = ma - mb;
        if (sum == 0) return 0; /* x - x = +0 when rounding to nearest */
    } else {
        sum = ma + mb;
    }
    /* value = sum · 2^(ea - 1084); normalise the top bit to bit 62. Shifting left loses nothing: a large
     * cancellation needs exponents at most one apart, and then no bit went to the sticky position. */
    int shift = leading_zeros(sum) - 1;
    return round_pack(sign, ea - shift, sum << shift);
}

double SOFTFLOAT_NAME(__adddf3)(double a, double b) { return from_bits(add(bits_of(a), bits_of(b))); }

double SOFTFLOAT_NAME(__subdf3)(double a, double b) { return from_bits(add(bits_of(a), bits_of(b) ^ SIGN)); }

double SOFTFLOAT_NAME(__negdf2)(double a) { return from_bits(bits_of(a) ^ SIGN); }

double SOFTFLOAT_NAME(__muldf3)(double x, double y) {
    uint64_t a = bits_of(x), b = bits_of(y);
    uint64_t sign = (a ^ b) & SIGN;
    if (is_nan(a) || is_nan(b)) return from_bits(QUIET_NAN);
    if (is_infinite(a) || is_infinite(b)) {
        return from_bits(is_zero(a) || is_zero(b) ? QUIET_NAN : sign | INFINITY_BITS);
    }
    if (is_zero(a) || is_zero(b)) return from_bits(sign);
    int32_t ea, eb;
    uint64_t ma, mb;
    unpack(a, &ea, &ma);
    unpack(b, &eb, &mb);
    /* The 106-bit product from 32-bit halves. */
    uint64_t a0 = ma & 0xffffffffu, a1 = ma >> 32, b0 = mb & 0xffffffffu, b1 = mb >> 32;
    uint64_t low = a0 * b0, middle1 = a0 * b1, middle2 = a1 * b0, high = a1 * b1;
    uint64_t middle = (low >> 32) + (middle1 & 0xffffffffu) + (middle2 & 0xffffffffu);
    uint64_t product_low = (middle << 32) | (low & 0xffffffffu);
    uint64_t product_high = high + (middle1 >> 32) + (middle2 >> 32) + (middle >> 32);
    /* The product lies in [2^104, 2^106): take its top 63 bits, the rest sticky. */
    int32_t shift = (product_high >> 41) ? 43 : 42; /* bit 105 of the product is bit 41 of the high word */
    uint64_t significand = (product_high << (64 - shift)) | (product_low >> shift)
        | ((product_low << (64 - shift)) != 0);
    return from_bits(round_pack(sign, ea + eb - 1066 + shift, significand));
}

double SOFTFLOAT_NAME(__divdf3)(double x, double y) {
    uint64_t a = bits_of(x), b = bits_of(y);
    uint64_t sign = (a ^ b) & SIGN;
    if (is_nan(a) || is_nan(b)) return from_bits(QUIET_NAN);
    if (is_infinite(a)) return from_bits(is_infinite(b) ? QUIET_NAN : sign | INFINITY_BITS);
    if (is_infinite(b)) return from_bits(sign);
    if (is_zero(b)) return from_bits(is_zero(a) ? QUIET_NAN : sign | INFINITY_BITS);
    if (is_zero(a)) return from_bits(sign);
    int32_t ea, eb;
    uint64_t ma, mb;
    unpack(a, &ea, &ma);
    unpack(b, &eb, &mb);
    if (ma < mb) {
        ma <<= 1;
        ea -= 1;
    }
    /* Restoring division: the quotient ma · 2^62 / mb lies in [2^62, 2^63); a remainder is the sticky bit. */
    uint64_t quotient = 0, remainder = ma;
    for (int bit = 62; bit >= 0; bit--) {
        if (remainder >= mb) {
            remainder -= mb;
            quotient |= 1ull << bit;
        }
        remainder <<= 1;
    }
    return from_bits(round_pack(sign, ea - eb + 1022, quotient | (remainder != 0)));
}

/* -1, 0 or 1 as a < b, a == b or a > b; 2 when unordered. */
static int compare(uint64_t a, uint64_t b) {
    if (is_nan(a) || is_nan(b)) return 2;
    if (is_zero(a) && is_zero(b)) return 0;
    if (a == b) return 0;
    /* Ordering the bit patterns as sign and magnitude orders the values. */
    int a_negative = (a & SIGN) != 0, b_negative = (b & SIGN) != 0;
    if (a_negative != b_negative) return a_negative ? -1 : 1;
    int less = (a & ~SIGN) < (b & ~SIGN);
    return (less != a_negative) ? -1 : 1;
}

/* compiler-rt's conventions: __eqdf2 and __nedf2 are 0 when equal; __ltdf2 and __ledf2 give 1 when unordered,
 * so that "< 0" and "<= 0" are false; __gtdf2 and __gedf2 give -1 when unordered. */
int SOFTFLOAT_NAME(__eqdf2)(double a, double b) { return compare(bits_of(a), bits_of(b)) != 0; }
int SOFTFLOAT_NAME(__nedf2)(double a, double b) { return compare(bits_of(a), bits_of(b)) != 0; }

int SOFTFLOAT_NAME(__ltdf2)(double a, double b) {
    int c = compare(bits_of(a), bits_of(b));
    return c == 2 ? 1 : c;
}

int SOFTFLOAT_NAME(__ledf2)(double a, double b) {
    int c = compare(bits_of(a), bits_of(b));
    return c == 2 ? 1 : c;
}

int SOFTFLOAT_NAME(__gtdf2)(double a, double b) {
    int c = compare(bits_of(a), bits_of(b));
    return c == 2 ? -1 : c;
}

int SOFTFLOAT_NAME(__gedf2)(double a, double b) {
    int c = compare(bits_of(a), bits_of(b));
    return c == 2 ? -1 : c;
}

int SOFTFLOAT_NAME(__unorddf2)(double a, double b) { return is_nan(bits_of(a)) || is_nan(bits_of(b)); }

static uint64_t from_magnitude(uint64_t sign, uint32_t magnitude) {
    if (magnitude == 0) return sign;
    int shift = leading_zeros(magnitude) - 11; /* bring the top bit to bit 52: exact, 32 bits fit in 53 */
    uint64_t m = (uint64_t)magnitude << shift;
    return sign | ((uint64_t)(1075 - shift) << 52) | (m & FRACTION);
}

double SOFTFLOAT_NAME(__floatsidf)(int32_t i) {
    return from_bits(i < 0 ? from_magnitude(SIGN, 0u - (uint32_t)i) : from_magnitude(0, (uint32_t)i));
}

double SOFTFLOAT_NAME(__floatunsidf)(uint32_t i) { return from_bits(from_magnitude(0, i)); }

/* Truncates toward zero; out of range (and NaN) saturates, as the C standard leaves it undefined. */
static int64_t truncate_to_integer(uint64_t x, int64_t low, int64_t high) {
    if (is_nan(x)) return 0;
    int32_t e = (int32_t)((x >> 52) & 0x7ff);
    int negative = (x & SIGN) != 0;
    if (e < 1023) return 0;
    if (e > 1023 + 40) return negative ? low : high;
    int64_t magnitude = (int64_t)(((x & FRACTION) | IMPLICIT) >> (1075 - e));
    int64_t value = negative ? -magnitude : magnitude;
    return value < low ? low : value > high ? high : value;
}

int32_t SOFTFLOAT_NAME(__fixdfsi)(double a) {
    return (int32_t)truncate_to_integer(bits_of(a), INT32_MIN, INT32_MAX);
}

uint32_t SOFTFLOAT_NAME(__fixunsdfsi)(double a) {
    return (uint32_t)truncate_to_integer(bits_of(a), 0, UINT32_MAX);
}

/* Rounds to an integer: toward zero, then away from it (by one unit) when `up_if` matches the sign and a
 * fraction was dropped. */
static uint64_t round_integral(uint64_t x, int up_if_negative, int up_if_positive) {
    int32_t e = (int32_t)((x >> 52) & 0x7ff);
    int negative = (x & SIGN) != 0;
    int away = negative ? up_if_negative : up_if_positive;
    if (e >= 1075) return x; /* already an integer, or infinite, or NaN */
    if (e < 1023) {          /* |x| < 1 */
        if (is_zero(x) || !away) return x & SIGN;
        return (x & SIGN) | 0x3ff0000000000000ull;
    }
    uint64_t fraction = FRACTION >> (e - 1023);
    if (!(x & fraction)) return x;
    if (away) x += fraction + 1; /* a carry into the exponent is the next binade, as it should be */
    return x & ~fraction;
}

double SOFTFLOAT_NAME(ceil)(double a) { return from_bits(round_integral(bits_of(a), 0, 1)); }
double SOFTFLOAT_NAME(floor)(double a) { return from_bits(round_integral(bits_of(a), 1, 0)); }
double SOFTFLOAT_NAME(trunc)(double a) { return from_bits(round_integral(bits_of(a), 0, 0)); }
