// Compares the cost of a batched int8 matrix product over two weight layouts,
// in one run on one core:
//  - "row": GGML's Q8_0 rows as stored in a GGUF file (fp16 scale + 32 int8 per
//    block), the layout a zero-copy load from the file would use. Its kernel is
//    a straightforward AVX-512 VNNI loop: per row, block and activation row, one
//    VPDPBUSD over 32 bytes, a conversion and a fused multiply-add.
//  - "q8x16": hunch's packed layout (Sources/CHunchKernels), through the
//    library's own kernel.
// For each batch size M it prints milliseconds per product and the ratio to M = 1.
//
// usage: q8-layouts ROWS COLUMNS REPEATS   (see scripts/bench-kernels)

#include "hunch_kernels.h"

#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BATCH 16

static double seconds_now(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return time.tv_sec + time.tv_nsec * 1e-9;
}

#define ROW_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,f16c,fma")))

// y[m][r] for Q8_0 rows; corrections[m][b] holds -128 * (sum of the block's
// activation bytes of each 4-byte lane), which undoes the unsigned offset.
ROW_TARGET static inline __attribute__((always_inline)) void
row_layout_product(const uint8_t *weights, int blocks, int rows, const int8_t *q, const float *scales,
                   const __m256i *corrections, float *y, const int mt) {
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    for (int r = 0; r < rows; ++r) {
        __m256 accumulators[MAX_BATCH];
        for (int m = 0; m < mt; ++m) accumulators[m] = _mm256_setzero_ps();
        const uint8_t *row = weights + (size_t)r * blocks * 34;
        for (int b = 0; b < blocks; ++b) {
            const uint8_t *block = row + b * 34;
            _mm_prefetch((const char *)block + 34 * 16, _MM_HINT_T0);
            uint16_t half;
            memcpy(&half, block, 2);
            const float weight_scale = _cvtsh_ss(half);
            const __m256i values = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(block + 2)), flip);
#pragma clang loop unroll(full)
            for (int m = 0; m < mt; ++m) {
                __m256i sum = _mm256_dpbusd_epi32(corrections[(size_t)m * blocks + b], values,
                                                  _mm256_loadu_si256((const __m256i *)(q + ((size_t)m * blocks + b) * 32)));
                accumulators[m] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum),
                                                  _mm256_set1_ps(weight_scale * scales[(size_t)m * blocks + b]), accumulators[m]);
            }
        }
        for (int m = 0; m < mt; ++m) {
            __m128 v = _mm_add_ps(_mm256_castps256_ps128(accumulators[m]), _mm256_extractf128_ps(accumulators[m], 1));
            v = _mm_add_ps(v, _mm_movehl_ps(v, v));
            v = _mm_add_ss(v, _mm_movehdup_ps(v));
            y[(size_t)m * rows + r] = _mm_cvtss_f32(v);
        }
    }
}

typedef void (*row_fn)(const uint8_t *, int, int, const int8_t *, const float *, const __m256i *, float *);
#define DEFINE_ROW(MT)                                                                                         \
    ROW_TARGET static void row_##MT(const uint8_t *w, int b, int r, const int8_t *q, const float *s,          \
                                    const __m256i *c, float *y) { row_layout_product(w, b, r, q, s, c, y, MT); }
DEFINE_ROW(1) DEFINE_ROW(2) DEFINE_ROW(3) DEFINE_ROW(5) DEFINE_ROW(9) DEFINE_ROW(16)

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s ROWS COLUMNS REPEATS\n", argv[0]);
        return 2;
    }
    if (hunch_detect_isa() != HUNCH_ISA_AVX512_VNNI) {
        fprintf(stderr, "this comparison needs AVX-512 VNNI; this CPU has %s\n", hunch_isa_name(hunch_detect_isa()));
        return 1;
    }
    const int rows = atoi(argv[1]), columns = atoi(argv[2]), repeats = atoi(argv[3]);
    const int blocks = columns / 32, groups = (rows + 15) / 16;

    // Weights of both layouts with random values and unit scales.
    const size_t row_bytes = (size_t)rows * blocks * 34;
    uint8_t *row_weights = malloc(row_bytes);
    for (size_t i = 0; i < row_bytes; ++i) row_weights[i] = (uint8_t)rand();
    for (size_t i = 0; i < (size_t)rows * blocks; ++i) memcpy(row_weights + i * 34, &(uint16_t){0x3C00}, 2);
    const size_t tile_bytes = (size_t)groups * blocks * HUNCH_Q8X16_TILE_BYTES;
    uint8_t *tiles = aligned_alloc(64, (tile_bytes + 63) / 64 * 64);
    for (size_t i = 0; i < tile_bytes; ++i) tiles[i] = (uint8_t)(rand() % 255 + 1);
    for (size_t t = 0; t < (size_t)groups * blocks; ++t)
        for (int i = 0; i < 16; ++i) memcpy(tiles + t * HUNCH_Q8X16_TILE_BYTES + 2 * i, &(uint16_t){0x3C00}, 2);

    // Activations: MAX_BATCH rows quantised by the library.
    float *x = malloc(sizeof(float) * MAX_BATCH * columns);
    for (int i = 0; i < MAX_BATCH * columns; ++i) x[i] = (float)(rand() % 1000 - 500) / 100.0f;
    int8_t *q = malloc((size_t)MAX_BATCH * columns);
    float *scales = malloc(sizeof(float) * MAX_BATCH * blocks);
    int32_t *sums = malloc(sizeof(int32_t) * MAX_BATCH * blocks);
    for (int m = 0; m < MAX_BATCH; ++m)
        hunch_quantize_row_q8(HUNCH_ISA_AVX512_VNNI, x + m * columns, columns, q + m * columns, scales + m * blocks, sums + m * blocks);
    __m256i *corrections = aligned_alloc(32, sizeof(__m256i) * MAX_BATCH * blocks);
    for (int i = 0; i < MAX_BATCH * blocks; ++i) {
        int32_t lanes[8];
        for (int lane = 0; lane < 8; ++lane)
            lanes[lane] = -128 * (q[i * 32 + 4 * lane] + q[i * 32 + 4 * lane + 1] + q[i * 32 + 4 * lane + 2] + q[i * 32 + 4 * lane + 3]);
        memcpy(&corrections[i], lanes, sizeof lanes);
    }
    float *y = malloc(sizeof(float) * MAX_BATCH * groups * 16);

    const int batches[] = {1, 2, 3, 5, 9, 16};
    const row_fn row_kernels[] = {row_1, row_2, row_3, row_5, row_9, row_16};
    printf("%d x %d weights, best of 5 runs of %d products, one core\n", rows, columns, repeats);
    printf("%-6s %3s %10s %8s\n", "layout", "M", "ms", "x M=1");
    double row_base = 0, tile_base = 0;
    for (int i = 0; i < 6; ++i) {
        double row_best = 1e9, tile_best = 1e9;
        for (int run = 0; run < 5; ++run) {
            double start = seconds_now();
            for (int k = 0; k < repeats; ++k) row_kernels[i](row_weights, blocks, rows, q, scales, corrections, y);
            double middle = seconds_now();
            for (int k = 0; k < repeats; ++k)
                hunch_matmul_q8x16(HUNCH_ISA_AVX512_VNNI, tiles, blocks, rows, 0, groups, q, scales, sums, batches[i], y, groups * 16);
            double end = seconds_now();
            if (middle - start < row_best) row_best = middle - start;
            if (end - middle < tile_best) tile_best = end - middle;
        }
        if (i == 0) { row_base = row_best; tile_base = tile_best; }
        printf("%-6s %3d %10.2f %8.2f\n", "row", batches[i], row_best * 1e3 / repeats, row_best / row_base);
        printf("%-6s %3d %10.2f %8.2f\n", "q8x16", batches[i], tile_best * 1e3 / repeats, tile_best / tile_base);
    }
    return 0;
}
