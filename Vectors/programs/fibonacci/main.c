/* Fibonacci: reads n (4 bytes, little-endian) and publishes "fib(n) mod 2^64 = 0x...\n". */
#include "zkvm.h"

static char *put_decimal(char *out, uint32_t value) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n) *out++ = digits[--n];
    return out;
}

static char *put_text(char *out, const char *text) {
    while (*text) *out++ = *text++;
    return out;
}

int main(void) {
    uint8_t raw[4];
    if (zkvm_read_all(raw, 4) != 4) {
        zkvm_log_str("fibonacci: expected a 4-byte n\n");
        return 1;
    }
    uint32_t n = raw[0] | raw[1] << 8 | raw[2] << 16 | (uint32_t)raw[3] << 24;
    uint64_t a = 0, b = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t next = a + b;
        a = b;
        b = next;
    }
    char line[64];
    char *p = put_text(line, "fib(");
    p = put_decimal(p, n);
    p = put_text(p, ") mod 2^64 = 0x");
    for (int shift = 60; shift >= 0; shift -= 4) *p++ = "0123456789abcdef"[(a >> shift) & 15];
    *p++ = '\n';
    zkvm_commit(line, (size_t)(p - line));
    return 0;
}
