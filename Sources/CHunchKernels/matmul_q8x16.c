// int8 x int8 matrix products over the Q8x16 packed weight layout
// (see hunch_kernels.h). Integer block sums are exact; each path then applies
// the same float steps in the same order per output: convert the block sum,
// multiply by the activation scale, fused multiply-add with the weight scale
// into the row's accumulator, blocks in increasing order. So every path and
// every batch size gives bit-identical results.

#include "hunch_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// IEEE half to float, exact.
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {
            // Subnormal half: normalise into a float.
            int shift = 0;
            while ((mantissa & 0x400) == 0) { mantissa <<= 1; ++shift; }
            mantissa &= 0x3FF;
            bits = sign | ((uint32_t)(127 - 15 - shift + 1) << 23) | (mantissa << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000 | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float result;
    memcpy(&result, &bits, sizeof result);
    return result;
}

// MARK: - Portable

static void matmul_portable(const uint8_t *weights, int blocks, int rows, int group_begin, int group_end,
                            const int8_t *q, const float *scales, const int32_t *sums,
                            int m_count, float *y, ptrdiff_t y_stride) {
    (void)sums;
    const int columns = blocks * HUNCH_Q8_BLOCK;
    for (int g = group_begin; g < group_end; ++g) {
        for (int m = 0; m < m_count; ++m) {
            float accumulators[HUNCH_Q8X16_ROWS] = {0};
            const uint8_t *tile = weights + (size_t)g * blocks * HUNCH_Q8X16_TILE_BYTES;
            const int8_t *x = q + (size_t)m * columns;
            for (int b = 0; b < blocks; ++b, tile += HUNCH_Q8X16_TILE_BYTES) {
                const int8_t *values = (const int8_t *)(tile + 2 * HUNCH_Q8X16_ROWS);
                const float activation_scale = scales[(size_t)m * blocks + b];
                for (int row = 0; row < HUNCH_Q8X16_ROWS; ++row) {
                    int32_t sum = 0;
                    for (int chunk = 0; chunk < 8; ++chunk) {
                        const int8_t *w = values + chunk * 64 + row * 4;
                        const int8_t *a = x + b * HUNCH_Q8_BLOCK + chunk * 4;
                        sum += w[0] * a[0] + w[1] * a[1] + w[2] * a[2] + w[3] * a[3];
                    }
                    uint16_t half;
                    memcpy(&half, tile + 2 * row, 2);
                    accumulators[row] = fmaf((float)sum * activation_scale, half_to_float(half), accumulators[row]);
                }
            }
            for (int row = 0; row < HUNCH_Q8X16_ROWS && g * HUNCH_Q8X16_ROWS + row < rows; ++row) {
                y[(size_t)m * y_stride + g * HUNCH_Q8X16_ROWS + row] = accumulators[row];
            }
        }
    }
}

#if defined(__x86_64__)

// MARK: - AVX-512 VNNI
//
// Per tile: the 8 weight lines are loaded once and turned into unsigned values
// (w + 128, by flipping the top bit) for VPDPBUSD, which multiplies unsigned by
// signed bytes. Each activation row then needs 8 VPDPBUSD with its 4-byte
// chunks broadcast, starting from -128 * (sum of the block's q) to cancel the
// offset. MT activation rows share each weight load.

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,f16c,fma")))

// Tiles are read in one sequential stream per thread. Prefetching a few tiles
// ahead keeps loads in flight while the batched dot products run.
#ifndef PREFETCH_DISTANCE
#define PREFETCH_DISTANCE (16 * HUNCH_Q8X16_TILE_BYTES)
#endif
#define PREFETCH_TILE(address)                                                         \
    do {                                                                               \
        for (int line = 0; line < HUNCH_Q8X16_TILE_BYTES; line += 64)                  \
            _mm_prefetch((const char *)(address) + line, _MM_HINT_T0);                 \
    } while (0)

AVX512_TARGET static inline __attribute__((always_inline)) void
matmul_avx512_tile_rows(const uint8_t *weights, int blocks, int rows, int group_begin, int group_end,
                        const int8_t *q, const float *scales, const int32_t *sums,
                        float *y, ptrdiff_t y_stride, const int mt) {
    const int columns = blocks * HUNCH_Q8_BLOCK;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    for (int g = group_begin; g < group_end; ++g) {
        __m512 accumulators[HUNCH_MATMUL_MAX_ROWS];
        for (int m = 0; m < mt; ++m) accumulators[m] = _mm512_setzero_ps();

        const uint8_t *tile = weights + (size_t)g * blocks * HUNCH_Q8X16_TILE_BYTES;
        for (int b = 0; b < blocks; ++b, tile += HUNCH_Q8X16_TILE_BYTES) {
            PREFETCH_TILE(tile + PREFETCH_DISTANCE);
            const __m512 weight_scales = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)tile));
            const __m512i *lines = (const __m512i *)(tile + 2 * HUNCH_Q8X16_ROWS);
            __m512i w0 = _mm512_xor_si512(_mm512_loadu_si512(lines + 0), flip);
            __m512i w1 = _mm512_xor_si512(_mm512_loadu_si512(lines + 1), flip);
            __m512i w2 = _mm512_xor_si512(_mm512_loadu_si512(lines + 2), flip);
            __m512i w3 = _mm512_xor_si512(_mm512_loadu_si512(lines + 3), flip);
            __m512i w4 = _mm512_xor_si512(_mm512_loadu_si512(lines + 4), flip);
            __m512i w5 = _mm512_xor_si512(_mm512_loadu_si512(lines + 5), flip);
            __m512i w6 = _mm512_xor_si512(_mm512_loadu_si512(lines + 6), flip);
            __m512i w7 = _mm512_xor_si512(_mm512_loadu_si512(lines + 7), flip);

#pragma clang loop unroll(full)
            for (int m = 0; m < mt; ++m) {
                const int32_t *x = (const int32_t *)(q + (size_t)m * columns + b * HUNCH_Q8_BLOCK);
                __m512i sum = _mm512_set1_epi32(-128 * sums[(size_t)m * blocks + b]);
                sum = _mm512_dpbusd_epi32(sum, w0, _mm512_set1_epi32(x[0]));
                sum = _mm512_dpbusd_epi32(sum, w1, _mm512_set1_epi32(x[1]));
                sum = _mm512_dpbusd_epi32(sum, w2, _mm512_set1_epi32(x[2]));
                sum = _mm512_dpbusd_epi32(sum, w3, _mm512_set1_epi32(x[3]));
                sum = _mm512_dpbusd_epi32(sum, w4, _mm512_set1_epi32(x[4]));
                sum = _mm512_dpbusd_epi32(sum, w5, _mm512_set1_epi32(x[5]));
                sum = _mm512_dpbusd_epi32(sum, w6, _mm512_set1_epi32(x[6]));
                sum = _mm512_dpbusd_epi32(sum, w7, _mm512_set1_epi32(x[7]));
                __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_set1_ps(scales[(size_t)m * blocks + b]));
                accumulators[m] = _mm512_fmadd_ps(scaled, weight_scales, accumulators[m]);
            }
        }

        const int first_row = g * HUNCH_Q8X16_ROWS;
        const int valid = rows - first_row < HUNCH_Q8X16_ROWS ? rows - first_row : HUNCH_Q8X16_ROWS;
        const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
        for (int m = 0; m < mt; ++m) {
            _mm512_mask_storeu_ps(y + (size_t)m * y_stride + first_row, mask, accumulators[m]);
        }
    }
}

#define DEFINE_AVX512(MT)                                                                                   \
    AVX512_TARGET static void matmul_avx512_##MT(const uint8_t *w, int blocks, int rows, int gb, int ge,    \
                                                 const int8_t *q, const float *s, const int32_t *sums,      \
                                                 float *y, ptrdiff_t ys) {                                  \
        matmul_avx512_tile_rows(w, blocks, rows, gb, ge, q, s, sums, y, ys, MT);                          \
    }
DEFINE_AVX512(1) DEFINE_AVX512(2) DEFINE_AVX512(3) DEFINE_AVX512(4)
DEFINE_AVX512(5) DEFINE_AVX512(6) DEFINE_AVX512(7) DEFINE_AVX512(8)
DEFINE_AVX512(9) DEFINE_AVX512(10) DEFINE_AVX512(11) DEFINE_AVX512(12)
DEFINE_AVX512(13) DEFINE_AVX512(14) DEFINE_AVX512(15) DEFINE_AVX512(16)

typedef void (*tile_rows_fn)(const uint8_t *, int, int, int, int, const int8_t *, const float *, const int32_t *,
                             float *, ptrdiff_t);

static const tile_rows_fn avx512_kernels[HUNCH_MATMUL_MAX_ROWS + 1] = {
    0, matmul_avx512_1, matmul_avx512_2, matmul_avx512_3, matmul_avx512_4, matmul_avx512_5,
    matmul_avx512_6, matmul_avx512_7, matmul_avx512_8, matmul_avx512_9, matmul_avx512_10,
    matmul_avx512_11, matmul_avx512_12, matmul_avx512_13, matmul_avx512_14, matmul_avx512_15,
    matmul_avx512_16,
};

// MARK: - AVX2
//
// Without VNNI, VPMADDUBSW multiplies unsigned by signed bytes into int16
// pairs. To keep those pairs from saturating, the unsigned operand is |x| and
// the sign of x moves onto the weights (VPSIGNB), so each pair is at most
// 2 * 127 * 127. The 16 rows of a tile are handled as two halves of 8.

#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))

AVX2_TARGET static inline __attribute__((always_inline)) void
matmul_avx2_tile_rows(const uint8_t *weights, int blocks, int rows, int group_begin, int group_end,
                      const int8_t *q, const float *scales, const int32_t *sums,
                      float *y, ptrdiff_t y_stride, const int mt) {
    (void)sums;
    const int columns = blocks * HUNCH_Q8_BLOCK;
    const __m256i ones = _mm256_set1_epi16(1);
    for (int g = group_begin; g < group_end; ++g) {
        __m256 low[HUNCH_MATMUL_MAX_ROWS], high[HUNCH_MATMUL_MAX_ROWS];
        for (int m = 0; m < mt; ++m) {
            low[m] = _mm256_setzero_ps();
            high[m] = _mm256_setzero_ps();
        }

        const uint8_t *tile = weights + (size_t)g * blocks * HUNCH_Q8X16_TILE_BYTES;
        for (int b = 0; b < blocks; ++b, tile += HUNCH_Q8X16_TILE_BYTES) {
            PREFETCH_TILE(tile + PREFETCH_DISTANCE);
            const __m256 scales_low = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)tile));
            const __m256 scales_high = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(tile + 16)));
            const __m256i *lines = (const __m256i *)(tile + 2 * HUNCH_Q8X16_ROWS);

#pragma clang loop unroll(full)
            for (int m = 0; m < mt; ++m) {
                const int8_t *x = q + (size_t)m * columns + b * HUNCH_Q8_BLOCK;
                const __m256i block = _mm256_loadu_si256((const __m256i *)x);
                int32_t magnitudes[8];
                _mm256_storeu_si256((__m256i *)magnitudes, _mm256_abs_epi8(block));

                __m256i sum_low = _mm256_setzero_si256(), sum_high = _mm256_setzero_si256();
                for (int chunk = 0; chunk < 8; ++chunk) {
                    int32_t signs;
                    memcpy(&signs, x + 4 * chunk, 4);
                    const __m256i sign = _mm256_set1_epi32(signs);
                    const __m256i magnitude = _mm256_set1_epi32(magnitudes[chunk]);
                    __m256i w_low = _mm256_sign_epi8(_mm256_loadu_si256(lines + 2 * chunk), sign);
                    __m256i w_high = _mm256_sign_epi8(_mm256_loadu_si256(lines + 2 * chunk + 1), sign);
                    sum_low = _mm256_add_epi32(sum_low, _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, w_low), ones));
                    sum_high = _mm256_add_epi32(sum_high, _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, w_high), ones));
                }
                const __m256 activation_scale = _mm256_set1_ps(scales[(size_t)m * blocks + b]);
                low[m] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sum_low), activation_scale), scales_low, low[m]);
                high[m] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sum_high), activation_scale), scales_high, high[m]);
            }
        }

        const int first_row = g * HUNCH_Q8X16_ROWS;
        const int valid = rows - first_row < HUNCH_Q8X16_ROWS ? rows - first_row : HUNCH_Q8X16_ROWS;
        for (int m = 0; m < mt; ++m) {
            float *out = y + (size_t)m * y_stride + first_row;
            if (valid == HUNCH_Q8X16_ROWS) {
                _mm256_storeu_ps(out, low[m]);
                _mm256_storeu_ps(out + 8, high[m]);
            } else {
                float row_values[HUNCH_Q8X16_ROWS];
                _mm256_storeu_ps(row_values, low[m]);
                _mm256_storeu_ps(row_values + 8, high[m]);
                for (int row = 0; row < valid; ++row) out[row] = row_values[row];
            }
        }
    }
}

#define DEFINE_AVX2(MT)                                                                                     \
    AVX2_TARGET static void matmul_avx2_##MT(const uint8_t *w, int blocks, int rows, int gb, int ge,        \
                                             const int8_t *q, const float *s, const int32_t *sums,          \
                                             float *y, ptrdiff_t ys) {                                      \
        matmul_avx2_tile_rows(w, blocks, rows, gb, ge, q, s, sums, y, ys, MT);                            \
    }
DEFINE_AVX2(1) DEFINE_AVX2(2) DEFINE_AVX2(3) DEFINE_AVX2(4)
DEFINE_AVX2(5) DEFINE_AVX2(6) DEFINE_AVX2(7) DEFINE_AVX2(8)

static const tile_rows_fn avx2_kernels[9] = {
    0, matmul_avx2_1, matmul_avx2_2, matmul_avx2_3, matmul_avx2_4,
    matmul_avx2_5, matmul_avx2_6, matmul_avx2_7, matmul_avx2_8,
};

#endif

void hunch_matmul_q8x16(hunch_isa isa, const uint8_t *weights, int blocks, int rows, int group_begin, int group_end,
                        const int8_t *q, const float *scales, const int32_t *sums,
                        int m_count, float *y, ptrdiff_t y_stride) {
    const size_t columns = (size_t)blocks * HUNCH_Q8_BLOCK;
#if defined(__x86_64__)
    if (isa == HUNCH_ISA_AVX512_VNNI || isa == HUNCH_ISA_AVX2) {
        const int step = isa == HUNCH_ISA_AVX512_VNNI ? HUNCH_MATMUL_MAX_ROWS : 8;
        const tile_rows_fn *kernels = isa == HUNCH_ISA_AVX512_VNNI ? avx512_kernels : avx2_kernels;
        for (int m = 0; m < m_count; m += step) {
            const int mt = m_count - m < step ? m_count - m : step;
            kernels[mt](weights, blocks, rows, group_begin, group_end,
                        q + m * columns, scales + (size_t)m * blocks, sums + (size_t)m * blocks,
                        y + m * y_stride, y_stride);
        }
        return;
    }
#endif
    matmul_portable(weights, blocks, rows, group_begin, group_end, q, scales, sums, m_count, y, y_stride);
}
