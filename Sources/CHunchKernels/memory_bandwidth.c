#include "hunch_kernels.h"

// Eight independent sums keep eight loads in flight, and the prefetch runs 2 KB
// ahead, as the matrix kernels prefetch their tiles.
uint64_t hunch_sum_words(const uint64_t *data, size_t count) {
    uint64_t sums[8] = {0};
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __builtin_prefetch(data + i + 256);
        for (int lane = 0; lane < 8; lane++) sums[lane] += data[i + lane];
    }
    for (; i < count; i++) sums[0] += data[i];

    uint64_t total = 0;
    for (int lane = 0; lane < 8; lane++) total += sums[lane];
    return total;
}
