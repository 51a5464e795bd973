/*
 * zkvmc.h: the C interface of zkvm, a zero-knowledge provable RISC-V (RV32IM) virtual machine.
 *
 * Link with -lzkvmc (libzkvmc.so, built by `swift build -c release --product zkvmc`). This is the header for
 * programs that prove and verify; the header for guest programs, which run inside the machine, is Guest/zkvm.h.
 *
 * A prover runs a guest program on a private input and gets a receipt: the program's public output (its journal,
 * every byte it wrote to fd 1), its exit code and STARK proofs of both, revealing nothing about the input. A
 * verifier checks a receipt against the program it trusts, given by its 32-byte program id (zkvm_program_id) or,
 * for receipts made without the program image, by the program itself.
 *
 * Conventions, for every function below:
 *
 *  - The return value is ZKVM_OK (0) on success, otherwise one of the ZKVM_ERROR_ codes: one per class of
 *    failure, so a caller can branch on it. The codes are stable; new classes get new numbers.
 *  - On failure, if `error` is not NULL, *error receives a NUL-terminated UTF-8 message of one line saying what
 *    failed, allocated for the caller, who releases it with zkvm_free. On success *error is set to NULL. Pass
 *    NULL for `error` to receive no message. (If even the message cannot be allocated, *error is NULL.)
 *  - Output buffers (*receipt, *journal) are allocated for the caller, who releases them with zkvm_free. They
 *    are never NULL on success, even when empty (length 0). On failure they are set to NULL and their lengths
 *    to 0.
 *  - An input buffer may be NULL only when its length is 0. A NULL buffer with a nonzero length, a length above
 *    PTRDIFF_MAX, or a NULL where an output is required is ZKVM_ERROR_ARGUMENT; nothing is read or written.
 *  - No input makes a function abort the calling process: garbage bytes, a wrong program id, a tampered or
 *    truncated receipt, and a guest that faults or never exits each return an error code. (Running out of
 *    memory while proving is the exception: like malloc-heavy C code, the process may then be ended.)
 *  - The functions keep no state between calls and may be called from several threads at once. Proving takes
 *    seconds and gigabytes (about 8 s and 2 GB for a short program on two cores); verifying takes about 0.1 s.
 */
#ifndef ZKVMC_H
#define ZKVMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
enum {
    /* Success. */
    ZKVM_OK = 0,
    /* A caller's mistake: a NULL buffer with a nonzero length, a missing output pointer, an unknown profile
     * name, a negative or NaN security minimum, flags this version does not know, or a program id that does not
     * match the program passed beside it. Fix the call. */
    ZKVM_ERROR_ARGUMENT = 1,
    /* The program bytes are not a loadable RV32IM program (ELF32 RISC-V static executable, or a raw image
     * loaded at address 0). Rebuild the guest for -march=rv32im -mabi=ilp32. */
    ZKVM_ERROR_PROGRAM = 2,
    /* The guest did not produce a provable result: it faulted (illegal instruction, misaligned or unmapped
     * access, EBREAK, an unknown system call), exceeded a resource limit, did not call exit, or ran longer than
     * a receipt holds (2^29 trace rows over all its segments). The message names the cause and, for a fault, the
     * pc. */
    ZKVM_ERROR_EXECUTION = 3,
    /* The receipt decodes but its proof is not valid for the statement it claims (a changed journal or exit
     * code, a tampered proof, a proof for another circuit), or its parameters give fewer proven security bits
     * than the verifier requires. Do not trust its journal. */
    ZKVM_ERROR_PROOF_REJECTED = 4,
    /* The bytes are not a receipt this version reads: wrong magic, unsupported format version, truncated, or
     * structurally malformed. */
    ZKVM_ERROR_RECEIPT = 5,
    /* The receipt is about another program than the expected one. */
    ZKVM_ERROR_PROGRAM_MISMATCH = 6,
    /* A failure inside zkvm, never the caller's or the guest's: an allocation failed, or the prover hit a bug
     * (please report it with the program and input). */
    ZKVM_ERROR_INTERNAL = 7,
    /* The receipt leaves the program image out (it was made with ZKVM_PROVE_NO_IMAGE) and only a program id was
     * given: verifying it needs the program itself. Call zkvm_verify_with_program. */
    ZKVM_ERROR_PROGRAM_REQUIRED = 8
};

/* The least proven security, in bits, that zkvm_verify and zkvm_verify_with_program accept. The default
 * profile gives about 105. */
#define ZKVM_DEFAULT_MINIMUM_PROVEN_BITS 100.0

/* Flags for zkvm_prove_with_options. */
enum {
    /* Leave the program image out of the receipt and carry only its 32-byte id, for verifiers that already hold
     * the program (a chain that registers a program once). Such receipts verify only with
     * zkvm_verify_with_program or zkvm_verify_with_policy given the program. */
    ZKVM_PROVE_NO_IMAGE = 1u << 0
};

/*
 * Runs `program` (an ELF32 RV32IM executable or a raw image) on the private `input` and proves the result with the
 * default profile (at least 100 proven bits, zero knowledge). On success *receipt holds the receipt (the program
 * image, journal, exit code and the proofs of its segments; never the input) and *receipt_len its length.
 *
 * Returns ZKVM_OK, ZKVM_ERROR_ARGUMENT, ZKVM_ERROR_PROGRAM, ZKVM_ERROR_EXECUTION or ZKVM_ERROR_INTERNAL.
 */
int zkvm_prove(const uint8_t *program, size_t program_len, const uint8_t *input, size_t input_len,
               uint8_t **receipt, size_t *receipt_len, char **error);

/*
 * zkvm_prove with a named parameter profile and flags. `profile` is "default" (what zkvm_prove uses), "compact"
 * (at least 100 proven bits, smaller receipts, slower), "fast" or "ethstark" (faster, fewer proven bits than the
 * default verifier minimum) or "test" (insecure and without zero knowledge: for tests only); NULL means
 * "default". `flags` is 0 or ZKVM_PROVE_NO_IMAGE.
 *
 * Returns what zkvm_prove returns; an unknown profile or flag is ZKVM_ERROR_ARGUMENT.
 */
int zkvm_prove_with_options(const uint8_t *program, size_t program_len, const uint8_t *input, size_t input_len,
                            const char *profile, uint32_t flags, uint8_t **receipt, size_t *receipt_len,
                            char **error);

/*
 * Checks that `receipt` proves an execution of the program whose id is `program_id` (32 bytes), with at least
 * ZKVM_DEFAULT_MINIMUM_PROVEN_BITS proven bits of security. On success the proven journal is in *journal
 * (*journal_len bytes) and the guest's exit code in *exit_code. Any of journal/journal_len (together) and
 * exit_code may be NULL when not wanted.
 *
 * Returns ZKVM_OK, ZKVM_ERROR_ARGUMENT, ZKVM_ERROR_RECEIPT, ZKVM_ERROR_PROGRAM_MISMATCH,
 * ZKVM_ERROR_PROGRAM_REQUIRED (a receipt without the image) or ZKVM_ERROR_PROOF_REJECTED.
 */
int zkvm_verify(const uint8_t *receipt, size_t receipt_len, const uint8_t program_id[32], uint8_t **journal,
                size_t *journal_len, uint32_t *exit_code, char **error);

/*
 * zkvm_verify for the program given by its bytes (as passed to zkvm_prove) instead of its id. This verifies
 * receipts with and without the program image.
 *
 * Returns what zkvm_verify returns, except ZKVM_ERROR_PROGRAM_REQUIRED, plus ZKVM_ERROR_PROGRAM when the program
 * bytes do not load.
 */
int zkvm_verify_with_program(const uint8_t *receipt, size_t receipt_len, const uint8_t *program,
                             size_t program_len, uint8_t **journal, size_t *journal_len, uint32_t *exit_code,
                             char **error);

/*
 * Verification with an explicit minimum of proven security bits. Give the expected program by id, by its bytes,
 * or both (the program's id must then equal program_id, else ZKVM_ERROR_ARGUMENT); program_id may be NULL, and
 * program may be NULL with program_len 0. A minimum below ZKVM_DEFAULT_MINIMUM_PROVEN_BITS accepts weaker
 * receipts, such as those of the "test" profile: lower it for tests only.
 *
 * Returns what zkvm_verify and zkvm_verify_with_program return.
 */
int zkvm_verify_with_policy(const uint8_t *receipt, size_t receipt_len, const uint8_t *program_id,
                            const uint8_t *program, size_t program_len, double minimum_proven_bits,
                            uint8_t **journal, size_t *journal_len, uint32_t *exit_code, char **error);

/*
 * Writes the 32-byte id of `program` (a SHA-256 digest of its loaded image and entry point; the id zkvm run and
 * zkvm prove print as hex) to program_id.
 *
 * Returns ZKVM_OK, ZKVM_ERROR_ARGUMENT or ZKVM_ERROR_PROGRAM.
 */
int zkvm_program_id(const uint8_t *program, size_t program_len, uint8_t program_id[32], char **error);

/*
 * Releases a buffer or message this library allocated (*receipt, *journal, *error). NULL is ignored.
 */
void zkvm_free(void *pointer);

/*
 * What this library reads and writes, as one static line (never freed), for example
 * "zkvm receipt format 5, circuit 6e51…" with the circuit id's 64 hex digits: a receipt verifies only with a
 * library of the circuit id it was proven with.
 */
const char *zkvm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* ZKVMC_H */
