/*
 * A guest with a known call chain, for the profiler: main → f → g twice, where g's loop does most of the work,
 * and main → h, which ends in a tail call to g (so a profile shows main → g for that part, as any unwinder would).
 * The input is a 4-byte seed; the journal is the 4-byte result.
 *
 *     Guest/build.sh -g -o program.elf main.c
 */
#include "zkvm.h"

__attribute__((noinline)) uint32_t g(uint32_t x, uint32_t n) {
    uint32_t acc = x;
    for (uint32_t i = 0; i < n; i++) {
        acc = acc * 1664525u + 1013904223u;
    }
    return acc;
}

__attribute__((noinline)) uint32_t f(uint32_t x) {
    uint32_t a = g(x, 1000);
    uint32_t b = g(x + 1, 500);
    return a ^ b;
}

__attribute__((noinline)) uint32_t h(uint32_t x) {
    return g(x * 3, 200);
}

int main(void) {
    uint32_t seed = 0;
    zkvm_read_all(&seed, sizeof seed);
    uint32_t r = f(seed) + h(seed);
    zkvm_commit(&r, sizeof r);
    return 0;
}
