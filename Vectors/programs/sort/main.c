/* Sorting: reads up to 65536 u32 values (little-endian) and publishes them in ascending order (heapsort). */
#include "zkvm.h"

#define CAPACITY 65536
static uint32_t values[CAPACITY];

static void sift_down(uint32_t *a, size_t root, size_t count) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count) return;
        if (child + 1 < count && a[child + 1] > a[child]) child++;
        if (a[root] >= a[child]) return;
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

int main(void) {
    size_t bytes = zkvm_read_all(values, sizeof values);
    if (bytes % 4 != 0) {
        zkvm_log_str("sort: input length is not a multiple of 4\n");
        return 1;
    }
    size_t count = bytes / 4;
    for (size_t i = count / 2; i-- > 0;) sift_down(values, i, count);
    for (size_t end = count; end > 1; end--) {
        uint32_t t = values[0];
        values[0] = values[end - 1];
        values[end - 1] = t;
        sift_down(values, 0, end - 1);
    }
    zkvm_commit(values, count * 4);
    return 0;
}
