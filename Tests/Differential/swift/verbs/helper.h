#include <stddef.h>
#include <stdint.h>

/* Sum of the bytes times their 1-based positions, modulo 2^32. */
uint32_t helper_checksum(const uint8_t *bytes, size_t count);
