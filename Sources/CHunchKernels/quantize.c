// Quantisation of activation rows to int8 blocks of 32, one scale per block.
//
// Every path computes exactly the same numbers: the block maximum of |x| is
// exact, the scale and its inverse are the same two float divisions, and
// rounding is to nearest with ties to even (nearbyintf in the default mode,
// the same as the SIMD float-to-int conversions).

#include "hunch_kernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static void quantize_block_scalar_tail(const float *x, float amax, int8_t *q, float *scale, int32_t *sum) {
    float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
    int32_t total = 0;
    for (int i = 0; i < HUNCH_Q8_BLOCK; ++i) {
        int value = (int)nearbyintf(x[i] * inverse);
        q[i] = (int8_t)value;
        total += value;
    }
    *scale = amax / 127.0f;
    *sum = total;
}

static void quantize_portable(const float *x, int count, int8_t *q, float *scales, int32_t *sums) {
    for (int b = 0; b < count / HUNCH_Q8_BLOCK; ++b) {
        const float *block = x + b * HUNCH_Q8_BLOCK;
        float amax = 0.0f;
        for (int i = 0; i < HUNCH_Q8_BLOCK; ++i) {
            float magnitude = fabsf(block[i]);
            amax = magnitude > amax ? magnitude : amax;
        }
        quantize_block_scalar_tail(block, amax, q + b * HUNCH_Q8_BLOCK, scales + b, sums + b);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void quantize_avx2(const float *x, int count, int8_t *q, float *scales, int32_t *sums) {
    const __m256 sign_mask = _mm256_set1_ps(-0.0f);
    for (int b = 0; b < count / HUNCH_Q8_BLOCK; ++b) {
        const float *block = x + b * HUNCH_Q8_BLOCK;
        __m256 v0 = _mm256_loadu_ps(block), v1 = _mm256_loadu_ps(block + 8);
        __m256 v2 = _mm256_loadu_ps(block + 16), v3 = _mm256_loadu_ps(block + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign_mask, v0), _mm256_andnot_ps(sign_mask, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign_mask, v2), _mm256_andnot_ps(sign_mask, v3)));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float amax = _mm_cvtss_f32(m4);

        float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
        __m256 scale = _mm256_set1_ps(inverse);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, scale));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, scale));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, scale));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, scale));

        __m256i total = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i t4 = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
        t4 = _mm_add_epi32(t4, _mm_shuffle_epi32(t4, 0x4E));
        t4 = _mm_add_epi32(t4, _mm_shuffle_epi32(t4, 0xB1));

        // Pack 32 int32 to 32 int8; the packs interleave 128-bit lanes, which the permute undoes.
        __m256i p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3);
        __m256i packed = _mm256_packs_epi16(p01, p23);
        packed = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(q + b * HUNCH_Q8_BLOCK), packed);

        scales[b] = amax / 127.0f;
        sums[b] = _mm_cvtsi128_si32(t4);
    }
}

__attribute__((target("avx512f,avx512bw,avx512vl")))
static void quantize_avx512(const float *x, int count, int8_t *q, float *scales, int32_t *sums) {
    for (int b = 0; b < count / HUNCH_Q8_BLOCK; ++b) {
        const float *block = x + b * HUNCH_Q8_BLOCK;
        __m512 v0 = _mm512_loadu_ps(block), v1 = _mm512_loadu_ps(block + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));

        float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
        __m512 scale = _mm512_set1_ps(inverse);
        __m512i i0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, scale));
        __m512i i1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, scale));
        _mm_storeu_si128((__m128i *)(q + b * HUNCH_Q8_BLOCK), _mm512_cvtsepi32_epi8(i0));
        _mm_storeu_si128((__m128i *)(q + b * HUNCH_Q8_BLOCK + 16), _mm512_cvtsepi32_epi8(i1));

        scales[b] = amax / 127.0f;
        sums[b] = _mm512_reduce_add_epi32(_mm512_add_epi32(i0, i1));
    }
}
#endif

void hunch_quantize_row_q8(hunch_isa isa, const float *x, int count, int8_t *q, float *scales, int32_t *sums) {
#if defined(__x86_64__)
    if (isa == HUNCH_ISA_AVX512_VNNI) { quantize_avx512(x, count, q, scales, sums); return; }
    if (isa == HUNCH_ISA_AVX2) { quantize_avx2(x, count, q, scales, sums); return; }
#endif
    quantize_portable(x, count, q, scales, sums);
}
