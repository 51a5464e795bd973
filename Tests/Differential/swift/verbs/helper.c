#include "helper.h"

uint32_t helper_checksum(const uint8_t *bytes, size_t count) {
    uint32_t sum = 0;
    for (size_t i = 0; i < count; i++) sum += bytes[i] * (uint32_t)(i + 1);
    return sum;
}
