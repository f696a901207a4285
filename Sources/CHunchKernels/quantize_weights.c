// Weight quantisation to GGML Q8_0 blocks, and packing of Q8_0 rows into the
// Q8x16 tiles (see hunch_kernels.h).
//
// Every path computes the same bytes. The block maximum ignores NaN and is
// exact. The scale is one division and one conversion to half (ties to even),
// and its inverse one more division. Each value is one multiplication rounded
// to nearest with ties to even: nearbyintf in the default rounding mode, and
// the same mode in the SIMD rounding instruction.

#include "hunch_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// MARK: - Float to half

uint16_t hunch_float_to_half(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000;
    uint32_t magnitude = bits & 0x7FFFFFFF;

    if (magnitude > 0x7F800000) {
        // NaN: keep the top of the payload and make sure it stays a NaN.
        return (uint16_t)(sign | 0x7E00 | (magnitude >> 13));
    }
    // 65520 (0x477FF000) is halfway between the largest half, 65504, and 65536,
    // and its tie goes to the even neighbour, infinity.
    if (magnitude >= 0x477FF000) return (uint16_t)(sign | 0x7C00);
    if (magnitude >= 0x38800000) {
        // Normal half: round the 13 dropped mantissa bits to nearest even (a carry
        // may move into the exponent, which is right), then rebias 127 to 15.
        uint32_t rounded = magnitude + 0xFFF + ((magnitude >> 13) & 1);
        return (uint16_t)(sign | ((rounded - 0x38000000) >> 13));
    }
    // Below 2^-14: a subnormal half m * 2^-24. Scaling by 2^24 is exact, so one
    // rounding to an integer gives m (1024 is the smallest normal, 0x0400).
    float absolute;
    memcpy(&absolute, &magnitude, sizeof absolute);
    return (uint16_t)(sign | (uint32_t)nearbyintf(absolute * 0x1p24f));
}

static float half_to_float_exact(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    float result;
    if (exponent == 0) {
        result = (float)mantissa * 0x1p-24f;
        return sign ? -result : result;
    }
    uint32_t bits = exponent == 31 ? (sign | 0x7F800000 | (mantissa << 13))
                                   : (sign | ((exponent + 112) << 23) | (mantissa << 13));
    memcpy(&result, &bits, sizeof result);
    return result;
}

// MARK: - Weight blocks

// The scale of a block with maximum |x| `amax`, as half bits, and the factor
// that maps values to [-127, 127]: the inverse of the half scale, or 0 when
// that scale is 0. An infinite scale gives an inverse of 0 as well.
static float block_scale(float amax, uint16_t *scale_bits) {
    *scale_bits = hunch_float_to_half(amax / 127.0f);
    float scale = half_to_float_exact(*scale_bits);
    return scale > 0.0f ? 1.0f / scale : 0.0f;
}

static int8_t round_clamped(float value) {
    if (value != value) return 0;  // NaN weight, or infinity times a zero inverse
    float rounded = nearbyintf(value);
    if (rounded > 127.0f) return 127;
    if (rounded < -127.0f) return -127;
    return (int8_t)rounded;
}

static void quantize_weights_portable(const float *x, int count, uint8_t *out) {
    for (int b = 0; b < count / HUNCH_Q8_BLOCK; ++b) {
        const float *block = x + b * HUNCH_Q8_BLOCK;
        uint8_t *target = out + b * HUNCH_Q8_0_BLOCK_BYTES;
        float amax = 0.0f;
        for (int i = 0; i < HUNCH_Q8_BLOCK; ++i) {
            float magnitude = fabsf(block[i]);
            amax = magnitude > amax ? magnitude : amax;
        }
        uint16_t scale_bits;
        float inverse = block_scale(amax, &scale_bits);
        target[0] = (uint8_t)(scale_bits & 0xFF);
        target[1] = (uint8_t)(scale_bits >> 8);
        for (int i = 0; i < HUNCH_Q8_BLOCK; ++i) {
            target[2 + i] = (uint8_t)round_clamped(block[i] * inverse);
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void quantize_weights_avx2(const float *x, int count, uint8_t *out) {
    const __m256 sign_mask = _mm256_set1_ps(-0.0f);
    const __m256 upper = _mm256_set1_ps(127.0f), lower = _mm256_set1_ps(-127.0f);
    for (int b = 0; b < count / HUNCH_Q8_BLOCK; ++b) {
        const float *block = x + b * HUNCH_Q8_BLOCK;
        uint8_t *target = out + b * HUNCH_Q8_0_BLOCK_BYTES;
        __m256 v[4];
        // maxps returns its second operand when either is NaN, so the running
        // maximum goes second and a NaN element leaves it unchanged.
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < 4; ++j) {
            v[j] = _mm256_loadu_ps(block + 8 * j);
            m = _mm256_max_ps(_mm256_andnot_ps(sign_mask, v[j]), m);
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));

        uint16_t scale_bits;
        __m256 inverse = _mm256_set1_ps(block_scale(_mm_cvtss_f32(m4), &scale_bits));
        memcpy(target, &scale_bits, 2);

        __m256i q[4];
        for (int j = 0; j < 4; ++j) {
            __m256 scaled = _mm256_mul_ps(v[j], inverse);
            // NaN lanes become 0, as in round_clamped, before the clamp would turn them into 127.
            scaled = _mm256_and_ps(scaled, _mm256_cmp_ps(scaled, scaled, _CMP_ORD_Q));
            scaled = _mm256_round_ps(scaled, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            scaled = _mm256_min_ps(_mm256_max_ps(scaled, lower), upper);
            q[j] = _mm256_cvtps_epi32(scaled);
        }
        // Pack 32 int32 to 32 int8; the packs interleave 128-bit lanes, which the permute undoes.
        __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        packed = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(target + 2), packed);
    }
}
#endif

void hunch_quantize_weights_q8_0(hunch_isa isa, const float *x, int count, uint8_t *blocks) {
#if defined(__x86_64__)
    if (isa == HUNCH_ISA_AVX2 || isa == HUNCH_ISA_AVX512_VNNI) {
        quantize_weights_avx2(x, count, blocks);
        return;
    }
#endif
    quantize_weights_portable(x, count, blocks);
}

// MARK: - Packing into tiles

void hunch_q8x16_set_row_q8_0(uint8_t *weights, int blocks, int row, const uint8_t *source) {
    int group = row / HUNCH_Q8X16_ROWS;
    int lane = row % HUNCH_Q8X16_ROWS;
    for (int b = 0; b < blocks; ++b) {
        const uint8_t *block = source + (size_t)b * HUNCH_Q8_0_BLOCK_BYTES;
        uint8_t *tile = weights + ((size_t)group * blocks + b) * HUNCH_Q8X16_TILE_BYTES;
        tile[2 * lane] = block[0];
        tile[2 * lane + 1] = block[1];
        int8_t *values = (int8_t *)(tile + 2 * HUNCH_Q8X16_ROWS);
        for (int chunk = 0; chunk < 8; ++chunk) {
            for (int i = 0; i < 4; ++i) {
                int8_t value = (int8_t)block[2 + chunk * 4 + i];
                // GGML's quantiser never writes -128, and the AVX2 kernel cannot negate it.
                values[chunk * 64 + lane * 4 + i] = value == -128 ? -127 : value;
            }
        }
    }
}
