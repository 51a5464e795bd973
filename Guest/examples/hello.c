/* The smallest useful guest: greets its private input in the journal, says what it is doing in the log. */
#include "zkvm.h"

int main(void) {
    char name[64];
    size_t n = zkvm_read_all(name, sizeof name);
    zkvm_log_str("hello: greeting the input\n");
    zkvm_commit_str("hello, ");
    zkvm_commit(name, n);
    zkvm_commit_str("!\n");
    return 0;
}
