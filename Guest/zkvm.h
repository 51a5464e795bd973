/*
 * zkvm guest interface: the syscalls a guest program uses to read its private input, publish its public output
 * (the journal) and exit. The numbers are Linux's, so the same static binary also runs under qemu-riscv32, where
 * the input is standard input, the journal standard output and the log standard error.
 *
 * Build with Guest/build.sh, which also links start.S (calls main and exits with its return value) and
 * runtime.c (memcpy, memset, memmove, memcmp and 64-bit division, since there is no libc). Swift guests reach these
 * functions through Guest/Swift/ZKVM.swift, which build.sh compiles with this header as the bridging header.
 */
#ifndef ZKVM_H
#define ZKVM_H

#include <stddef.h>
#include <stdint.h>

#define ZKVM_SYS_READ 63
#define ZKVM_SYS_WRITE 64
#define ZKVM_SYS_EXIT 93

static inline long zkvm_syscall(long number, long arg0, long arg1, long arg2) {
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a2 __asm__("a2") = arg2;
    register long a7 __asm__("a7") = number;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

/* Copies up to len bytes of the private input to buf; returns how many (0 once the input is used up). */
static inline size_t zkvm_read(void *buf, size_t len) {
    return (size_t)zkvm_syscall(ZKVM_SYS_READ, 0, (long)buf, (long)len);
}

/* Reads until buf is full or the input ends; returns how many bytes were read. Under qemu a pipe may deliver
 * input in pieces, so prefer this to a single zkvm_read. */
static inline size_t zkvm_read_all(void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        size_t n = zkvm_read((char *)buf + done, len - done);
        if (n == 0 || n > len - done) break;
        done += n;
    }
    return done;
}

/* Appends len bytes to the journal, the public output that a proof binds. */
static inline void zkvm_commit(const void *buf, size_t len) {
    zkvm_syscall(ZKVM_SYS_WRITE, 1, (long)buf, (long)len);
}

/* Appends len bytes to the diagnostic log: shown by `zkvm run`, not part of any proof. */
static inline void zkvm_log(const void *buf, size_t len) {
    zkvm_syscall(ZKVM_SYS_WRITE, 2, (long)buf, (long)len);
}

static inline size_t zkvm_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* Appends a NUL-terminated string to the journal / the log. */
static inline void zkvm_commit_str(const char *s) { zkvm_commit(s, zkvm_strlen(s)); }
static inline void zkvm_log_str(const char *s) { zkvm_log(s, zkvm_strlen(s)); }

/* Halts the guest with an exit code (returning from main does the same). */
__attribute__((noreturn)) static inline void zkvm_exit(int code) {
    zkvm_syscall(ZKVM_SYS_EXIT, code, 0, 0);
    __builtin_unreachable();
}

/* Provided by runtime.c; the compiler may also call them on its own for struct copies and zeroing. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
