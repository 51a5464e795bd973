/*
 * What Embedded Swift expects from the platform beneath it, for a zkvm guest: a heap (posix_memalign, free and
 * the malloc family), putchar for print(), a hash seed, the __atomic helpers (RV32IM has no A extension, so the
 * compiler calls functions for atomic operations; the machine runs one thread, so plain loads and stores are
 * atomic), the 64-bit shifts and bit counts that the toolchain has no compiler-rt for on this target, and the
 * function that Swift's runtime traps call.
 *
 * Guest/build.sh links this file into every program that has a Swift source. Compiled at -O2 (not -Os), so the
 * compiler expands 64-bit shifts inline rather than calling the helpers defined here.
 */
#include "zkvm.h"

/* ------------------------------------------------------------------------------------------------------------
 * Heap: a zero-initialised array in .bss (free until touched, and mapped by qemu like any .bss), carved by a
 * bump pointer. Small blocks (up to 4 KiB) come in power-of-two sizes, each size with a list of freed blocks to
 * reuse; larger ones are whole 4 KiB pages, exactly as many as asked for (an array that doubles does not take
 * twice its size), and freed ones are reused first fit. Every block starts with a 16-byte header; the payload
 * follows it, so payloads are 16-byte aligned. Exhaustion is not an error a caller can handle (Swift would trap
 * on a null object), so the allocator logs why and exits.
 */
#ifndef ZKVM_HEAP_BYTES
#define ZKVM_HEAP_BYTES (64u << 20)
#endif
#define ZKVM_EXIT_OUT_OF_MEMORY 12
#define HEADER 16u
#define MAGIC 0x5a4b4845u /* "ZKHE": marks a live block header, so a bad free is caught */
#define FREED 0x5a4b4846u

#define SMALL_CLASSES 13 /* classes 4 to 12: 16 bytes to 4 KiB */
#define PAGE 4096u

typedef struct header {
    uint32_t magic;
    uint32_t capacity;   /* payload bytes: a power of two up to PAGE, else a multiple of PAGE */
    struct header *next; /* on a free list */
    uint32_t size_class; /* log2 of a small block's capacity; 0 for a large block */
} header;

static unsigned char heap[ZKVM_HEAP_BYTES] __attribute__((aligned(16)));
static uintptr_t heap_next = 0; /* offset of the first unused byte */
static header *small_free[SMALL_CLASSES];
static header *large_free;

static void log_text(const char *s) { zkvm_log_str(s); }

static void log_number(uint32_t value) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    char out[10];
    for (int i = 0; i < n; i++) out[i] = digits[n - 1 - i];
    zkvm_log(out, (size_t)n);
}

static void log_hex(uint32_t value) {
    char out[10] = {'0', 'x'};
    for (int i = 0; i < 8; i++) out[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 15];
    zkvm_log(out, sizeof out);
}

__attribute__((noreturn)) static void out_of_memory(size_t size) {
    log_text("zkvm guest: out of memory: the heap of ");
    log_number(ZKVM_HEAP_BYTES);
    log_text(" bytes cannot hold ");
    log_number((uint32_t)size);
    log_text(" more (");
    log_number((uint32_t)heap_next);
    log_text(" in use or freed); build with -DZKVM_HEAP_BYTES=N for a larger heap\n");
    zkvm_exit(ZKVM_EXIT_OUT_OF_MEMORY);
}

__attribute__((noreturn)) static void bad_free(void *pointer) {
    log_text("zkvm guest: free of ");
    log_hex((uint32_t)(uintptr_t)pointer);
    log_text(", which is not a live heap block\n");
    __builtin_trap();
}

/* The smallest c with 1 << c >= size (size >= 1). */
static uint32_t size_class_of(size_t size) {
    uint32_t c = 4;
    while (((size_t)1 << c) < size) c++;
    return c;
}

/* A freed large block of at least `capacity` bytes, at most twice that (no block is split, so no more is
 * wasted), whose payload has the alignment, taken off the list; or none. */
static header *reuse_large(uint32_t capacity, size_t alignment) {
    for (header **link = &large_free; *link; link = &(*link)->next) {
        header *block = *link;
        if (block->capacity >= capacity && block->capacity / 2 <= capacity
            && ((uintptr_t)(block + 1) & (alignment - 1)) == 0) {
            *link = block->next;
            return block;
        }
    }
    return 0;
}

static void *allocate(size_t size, size_t alignment) {
    if (size == 0) size = 1;
    if (size > ZKVM_HEAP_BYTES) out_of_memory(size);
    uint32_t c = 0, capacity;
    header *block;
    if (size <= PAGE) {
        c = size_class_of(size);
        capacity = 1u << c;
        block = small_free[c];
        if (block && ((uintptr_t)(block + 1) & (alignment - 1)) == 0) {
            small_free[c] = block->next;
        } else {
            block = 0;
        }
    } else {
        capacity = (uint32_t)(size + PAGE - 1) & ~(PAGE - 1);
        block = reuse_large(capacity, alignment);
    }
    if (block) {
        block->magic = MAGIC;
        return block + 1;
    }
    /* A fresh block: place the payload at the next suitably aligned offset past a header. */
    uintptr_t base = (uintptr_t)heap;
    uintptr_t payload = (base + heap_next + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1);
    uintptr_t end = payload - base + capacity;
    if (end > ZKVM_HEAP_BYTES || end < heap_next) out_of_memory(size);
    heap_next = end;
    block = (header *)payload - 1;
    block->magic = MAGIC;
    block->capacity = capacity;
    block->size_class = c;
    return (void *)payload;
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < HEADER) alignment = HEADER;
    if (alignment & (alignment - 1)) return 22; /* EINVAL: not a power of two */
    *result = allocate(size, alignment);
    return 0;
}

void *malloc(size_t size) { return allocate(size, HEADER); }

void *aligned_alloc(size_t alignment, size_t size) {
    void *result = 0;
    return posix_memalign(&result, alignment, size) == 0 ? result : 0;
}

void *calloc(size_t count, size_t size) {
    size_t total = count * size;
    if (size && total / size != count) out_of_memory(~(size_t)0);
    void *result = allocate(total, HEADER);
    /* A block from a free list may hold old bytes; a fresh one is still zero from .bss. */
    return memset(result, 0, total);
}

void free(void *pointer) {
    if (!pointer) return;
    header *block = (header *)pointer - 1;
    if ((uintptr_t)pointer < (uintptr_t)heap + HEADER || (uintptr_t)pointer >= (uintptr_t)heap + heap_next
        || ((uintptr_t)pointer & 15) || block->magic != MAGIC)
        bad_free(pointer);
    block->magic = FREED;
    header **list = block->size_class ? &small_free[block->size_class] : &large_free;
    block->next = *list;
    *list = block;
}

void *realloc(void *pointer, size_t size) {
    if (!pointer) return malloc(size);
    header *block = (header *)pointer - 1;
    if (block->magic != MAGIC) bad_free(pointer);
    size_t capacity = block->capacity;
    if (size <= capacity) return pointer;
    void *result = malloc(size);
    memcpy(result, pointer, capacity);
    free(pointer);
    return result;
}

/* ------------------------------------------------------------------------------------------------------------
 * print() writes one character at a time through putchar; it goes to the diagnostic log, never the journal, so
 * that a debugging print cannot publish a secret. Commit to the journal with ZKVM.commit.
 */
int putchar(int c) {
    unsigned char byte = (unsigned char)c;
    zkvm_log(&byte, 1);
    return byte;
}

/* Dictionary and Set ask for a random per-process hash seed. A proof must replay the execution exactly, so the
 * seed is fixed: the same guest on the same input hashes alike every time. */
void arc4random_buf(void *buffer, size_t count) {
    unsigned char *bytes = buffer;
    for (size_t i = 0; i < count; i++) bytes[i] = (unsigned char)(0x5a + 0x3d * i);
}

/* Swift's runtime checks (overflow, index out of range, unwrapping nil, fatalError, ...) call this, compiled
 * with -trap-function. It names the failing call's address in the log, then stops with an illegal instruction,
 * so that no trapped execution ends in an exit code that a proof could attest. */
__attribute__((noreturn)) void zkvm_swift_trap(void) {
    uint32_t pc = (uint32_t)(uintptr_t)__builtin_return_address(0) - 4;
    log_text("zkvm guest: Swift runtime error (overflow, index out of range, nil unwrapped, fatalError, ...) "
             "at pc ");
    log_hex(pc);
    log_text("\n");
    __builtin_trap();
}

/* ------------------------------------------------------------------------------------------------------------
 * Atomics for a single-threaded machine: sizes 1, 2, 4 and 8, each operation a plain access. The memory order
 * arguments do not matter with one thread and no devices.
 */
#define ATOMICS(n, type)                                                                                          \
    type __atomic_load_##n(const volatile void *p, int order) {                                                 \
        (void)order;                                                                                            \
        return *(const volatile type *)p;                                                                       \
    }                                                                                                           \
    void __atomic_store_##n(volatile void *p, type value, int order) {                                          \
        (void)order;                                                                                            \
        *(volatile type *)p = value;                                                                            \
    }                                                                                                           \
    type __atomic_exchange_##n(volatile void *p, type value, int order) {                                       \
        (void)order;                                                                                            \
        type old = *(volatile type *)p;                                                                         \
        *(volatile type *)p = value;                                                                            \
        return old;                                                                                             \
    }                                                                                                           \
    _Bool __atomic_compare_exchange_##n(volatile void *p, void *expected, type desired, int success,            \
                                        int failure) {                                                          \
        (void)success, (void)failure;                                                                           \
        type current = *(volatile type *)p;                                                                     \
        if (current == *(type *)expected) {                                                                     \
            *(volatile type *)p = desired;                                                                      \
            return 1;                                                                                           \
        }                                                                                                       \
        *(type *)expected = current;                                                                            \
        return 0;                                                                                               \
    }                                                                                                           \
    ATOMIC_RMW(n, type, add, +)                                                                                 \
    ATOMIC_RMW(n, type, sub, -)                                                                                 \
    ATOMIC_RMW(n, type, and, &)                                                                                 \
    ATOMIC_RMW(n, type, or, |)                                                                                  \
    ATOMIC_RMW(n, type, xor, ^)

#define ATOMIC_RMW(n, type, name, op)                                                                             \
    type __atomic_fetch_##name##_##n(volatile void *p, type value, int order) {                                 \
        (void)order;                                                                                            \
        type old = *(volatile type *)p;                                                                         \
        *(volatile type *)p = (type)(old op value);                                                             \
        return old;                                                                                             \
    }                                                                                                           \
    type __atomic_##name##_fetch_##n(volatile void *p, type value, int order) {                                 \
        (void)order;                                                                                            \
        type result = (type)(*(volatile type *)p op value);                                                     \
        *(volatile type *)p = result;                                                                           \
        return result;                                                                                          \
    }

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wincompatible-library-redeclaration"
#pragma clang diagnostic ignored "-Wbuiltin-requires-header"
ATOMICS(1, uint8_t)
ATOMICS(2, uint16_t)
ATOMICS(4, uint32_t)
ATOMICS(8, uint64_t)
#pragma clang diagnostic pop

/* ------------------------------------------------------------------------------------------------------------
 * 64-bit helpers that code optimised for size calls instead of inlining (compiler-rt's names and meaning). The
 * shift amount is below 64; the shifts written here are expanded inline because this file is built at -O2.
 */
int64_t __ashldi3(int64_t a, int b) { return (int64_t)((uint64_t)a << b); }
int64_t __ashrdi3(int64_t a, int b) { return a >> b; }
uint64_t __lshrdi3(uint64_t a, int b) { return a >> b; }

int __clzsi2(uint32_t a) {
    int n = 0;
    if (!a) return 32;
    while (!(a & 0x80000000u)) a <<= 1, n++;
    return n;
}

int __ctzsi2(uint32_t a) {
    int n = 0;
    if (!a) return 32;
    while (!(a & 1)) a >>= 1, n++;
    return n;
}

int __clzdi2(uint64_t a) { return (a >> 32) ? __clzsi2((uint32_t)(a >> 32)) : 32 + __clzsi2((uint32_t)a); }
int __ctzdi2(uint64_t a) { return (uint32_t)a ? __ctzsi2((uint32_t)a) : 32 + __ctzsi2((uint32_t)(a >> 32)); }

int __popcountsi2(uint32_t a) {
    a = a - ((a >> 1) & 0x55555555u);
    a = (a & 0x33333333u) + ((a >> 2) & 0x33333333u);
    return (int)((((a + (a >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24);
}

int __popcountdi2(uint64_t a) { return __popcountsi2((uint32_t)a) + __popcountsi2((uint32_t)(a >> 32)); }
