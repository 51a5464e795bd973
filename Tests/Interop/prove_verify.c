/*
 * Proves and verifies a guest program through libzkvmc, as a C program linking it would, and checks that every
 * bad call returns the code zkvmc.h documents. Prints one line per check ("ok name" or "FAIL name: ...") and
 * exits 0 only when every check passed.
 *
 *     prove_verify PROGRAM INPUT EXPECTED_JOURNAL
 *
 * Run by test_c_interface.py, which builds it against the release library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkvmc.h"

static int failures = 0;

/* Records one check: `ok` says whether it held; `detail` is printed when it did not. */
static void check(const char *name, int ok, const char *detail) {
    if (ok) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, detail ? detail : "(no detail)");
        failures++;
    }
}

/* Checks that a call returned `expected`, with a message when it failed and none when it succeeded, then frees
 * the message. */
static void check_code(const char *name, int rc, int expected, char *error) {
    char detail[1024];
    snprintf(detail, sizeof detail, "returned %d, expected %d; error: %s", rc, expected, error ? error : "NULL");
    int message_ok = expected == ZKVM_OK ? error == NULL : error != NULL && strlen(error) > 0;
    check(name, rc == expected && message_ok, detail);
    zkvm_free(error);
}

static uint8_t *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc(size > 0 ? (size_t)size : 1);
    if (bytes && fread(bytes, 1, (size_t)size, file) != (size_t)size) {
        free(bytes);
        bytes = NULL;
    }
    fclose(file);
    *length = (size_t)size;
    return bytes;
}

/* Where `needle` first occurs in `haystack`, or NULL. */
static uint8_t *find(uint8_t *haystack, size_t length, const uint8_t *needle, size_t needle_length) {
    for (size_t i = 0; needle_length > 0 && i + needle_length <= length; i++) {
        if (memcmp(haystack + i, needle, needle_length) == 0) return haystack + i;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PROGRAM INPUT EXPECTED_JOURNAL\n", argv[0]);
        return 2;
    }
    size_t program_len = 0, input_len = 0;
    uint8_t *program = read_file(argv[1], &program_len);
    uint8_t *input = read_file(argv[2], &input_len);
    const char *expected = argv[3];
    if (!program || !input) {
        fprintf(stderr, "cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }

    const char *version = zkvm_version();
    check("version", version != NULL && strncmp(version, "zkvm receipt format ", 20) == 0, version);

    uint8_t id[32];
    char *error = NULL;
    check_code("program id", zkvm_program_id(program, program_len, id, &error), ZKVM_OK, error);

    /* Prove with the default profile, then verify by id and by program. */
    uint8_t *receipt = NULL;
    size_t receipt_len = 0;
    int rc = zkvm_prove(program, program_len, input, input_len, &receipt, &receipt_len, &error);
    check_code("prove", rc, ZKVM_OK, error);
    if (rc != ZKVM_OK) return 1;
    printf("receipt %zu bytes\n", receipt_len);

    uint8_t *journal = NULL;
    size_t journal_len = 0;
    uint32_t exit_code = 99;
    rc = zkvm_verify(receipt, receipt_len, id, &journal, &journal_len, &exit_code, &error);
    check_code("verify", rc, ZKVM_OK, error);
    int journal_ok = journal != NULL && journal_len == strlen(expected) && memcmp(journal, expected, journal_len) == 0;
    check("journal", journal_ok, "the verified journal is not the expected one");
    check("exit code", exit_code == 0, "the verified exit code is not 0");
    zkvm_free(journal);

    journal = NULL;
    rc = zkvm_verify_with_program(receipt, receipt_len, program, program_len, &journal, &journal_len, NULL, &error);
    check_code("verify with program", rc, ZKVM_OK, error);
    check("journal with program", journal != NULL && journal_len == strlen(expected), "wrong journal length");
    zkvm_free(journal);

    /* Outputs not wanted, and no message wanted. */
    check_code("verify without outputs", zkvm_verify(receipt, receipt_len, id, NULL, NULL, NULL, NULL), ZKVM_OK,
               NULL);

    /* A changed journal byte: the receipt still decodes, and the proof is rejected. */
    uint8_t *tampered = malloc(receipt_len);
    memcpy(tampered, receipt, receipt_len);
    uint8_t *claimed = find(tampered, receipt_len, (const uint8_t *)expected, strlen(expected));
    check("journal found in receipt", claimed != NULL, "the journal's bytes are not in the receipt");
    if (claimed) claimed[0] ^= 0x20;
    journal = (uint8_t *)1; /* must be reset to NULL on failure */
    journal_len = 7;
    rc = zkvm_verify(tampered, receipt_len, id, &journal, &journal_len, &exit_code, &error);
    check_code("tampered journal rejected", rc, ZKVM_ERROR_PROOF_REJECTED, error);
    check("outputs cleared on failure", journal == NULL && journal_len == 0, "journal not reset");

    /* A changed byte near the end, inside the last FRI layer's Merkle nodes. */
    memcpy(tampered, receipt, receipt_len);
    tampered[receipt_len - 20] ^= 0x01;
    rc = zkvm_verify(tampered, receipt_len, id, NULL, NULL, NULL, &error);
    check_code("tampered proof rejected", rc, ZKVM_ERROR_PROOF_REJECTED, error);

    /* Receipts that do not decode. */
    const uint8_t garbage[] = "this is not a receipt";
    check_code("garbage receipt", zkvm_verify(garbage, sizeof garbage, id, NULL, NULL, NULL, &error),
               ZKVM_ERROR_RECEIPT, error);
    check_code("truncated receipt", zkvm_verify(receipt, receipt_len / 2, id, NULL, NULL, NULL, &error),
               ZKVM_ERROR_RECEIPT, error);
    check_code("empty receipt", zkvm_verify(receipt, 0, id, NULL, NULL, NULL, &error), ZKVM_ERROR_RECEIPT, error);

    /* Another program id. */
    uint8_t other[32];
    memcpy(other, id, 32);
    other[0] ^= 0xff;
    check_code("wrong program id", zkvm_verify(receipt, receipt_len, other, NULL, NULL, NULL, &error),
               ZKVM_ERROR_PROGRAM_MISMATCH, error);

    /* Bad arguments: nothing is read or written. */
    check_code("NULL receipt with a length", zkvm_verify(NULL, 100, id, NULL, NULL, NULL, &error),
               ZKVM_ERROR_ARGUMENT, error);
    check_code("NULL program id", zkvm_verify(receipt, receipt_len, NULL, NULL, NULL, NULL, &error),
               ZKVM_ERROR_ARGUMENT, error);
    check_code("journal without its length", zkvm_verify(receipt, receipt_len, id, &journal, NULL, NULL, &error),
               ZKVM_ERROR_ARGUMENT, error);
    check_code("huge length", zkvm_verify(receipt, (size_t)-1, id, NULL, NULL, NULL, &error), ZKVM_ERROR_ARGUMENT,
               error);
    uint8_t *unused = NULL;
    size_t unused_len = 0;
    check_code("NULL program with a length", zkvm_prove(NULL, 10, NULL, 0, &unused, &unused_len, &error),
               ZKVM_ERROR_ARGUMENT, error);
    check_code("NULL receipt output", zkvm_prove(program, program_len, input, input_len, NULL, NULL, &error),
               ZKVM_ERROR_ARGUMENT, error);
    check_code("unknown profile",
               zkvm_prove_with_options(program, program_len, NULL, 0, "fastest", 0, &unused, &unused_len, &error),
               ZKVM_ERROR_ARGUMENT, error);
    check_code("unknown flag",
               zkvm_prove_with_options(program, program_len, NULL, 0, "test", 1u << 7, &unused, &unused_len, &error),
               ZKVM_ERROR_ARGUMENT, error);

    /* Programs that do not load (an ELF header cut short), and one that faults: ebreak at address 0. */
    const uint8_t broken[] = {0x7f, 'E', 'L', 'F', 1, 1, 1, 0};
    check_code("broken program", zkvm_prove(broken, sizeof broken, NULL, 0, &unused, &unused_len, &error),
               ZKVM_ERROR_PROGRAM, error);
    uint8_t unused_id[32];
    check_code("broken program id", zkvm_program_id(broken, sizeof broken, unused_id, &error), ZKVM_ERROR_PROGRAM,
               error);
    check_code("empty program", zkvm_program_id(NULL, 0, unused_id, &error), ZKVM_ERROR_PROGRAM, error);
    const uint8_t ebreak[] = {0x73, 0x00, 0x10, 0x00};
    check_code("faulting guest", zkvm_prove(ebreak, sizeof ebreak, NULL, 0, &unused, &unused_len, &error),
               ZKVM_ERROR_EXECUTION, error);
    check("no receipt after a failure", unused == NULL && unused_len == 0, "receipt output not NULL");

    /* A receipt without the program image (test profile, for speed): the id alone is not enough. */
    uint8_t *bare = NULL;
    size_t bare_len = 0;
    rc = zkvm_prove_with_options(program, program_len, input, input_len, "test", ZKVM_PROVE_NO_IMAGE, &bare,
                                 &bare_len, &error);
    check_code("prove without image", rc, ZKVM_OK, error);
    if (rc == ZKVM_OK) {
        check("program id in receipt without image", find(bare, bare_len, id, 32) != NULL,
              "the receipt without image does not name the program by its id");
        check_code("id alone is not enough", zkvm_verify(bare, bare_len, id, NULL, NULL, NULL, &error),
                   ZKVM_ERROR_PROGRAM_REQUIRED, error);
        journal = NULL;
        rc = zkvm_verify_with_policy(bare, bare_len, id, program, program_len, 0.0, &journal, &journal_len,
                                     &exit_code, &error);
        check_code("verify without image, given the program", rc, ZKVM_OK, error);
        check("journal without image", journal != NULL && journal_len == strlen(expected) &&
                                           memcmp(journal, expected, journal_len) == 0,
              "wrong journal");
        zkvm_free(journal);
        /* The test profile is below the default minimum, whatever the receipt holds. */
        check_code("test profile refused by default",
                   zkvm_verify_with_program(bare, bare_len, program, program_len, NULL, NULL, NULL, &error),
                   ZKVM_ERROR_PROOF_REJECTED, error);
        check_code("another program given",
                   zkvm_verify_with_policy(bare, bare_len, NULL, ebreak, sizeof ebreak, 0.0, NULL, NULL, NULL, &error),
                   ZKVM_ERROR_PROGRAM_MISMATCH, error);
    }

    zkvm_free(bare);
    free(tampered);
    zkvm_free(receipt);
    free(program);
    free(input);
    printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
