// Attention over the KV cache for one query head. The score and value loops
// vectorise over head_dim; the softmax runs in scalar code shared by all paths.
// For a given ISA the result depends only on the inputs, so a token gets the
// same output whether it is processed alone or inside a batch.

#include "hunch_kernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Softmax in place over scores[0..length), returning nothing: scores become
// weights that sum to 1. The exponentials are summed in double.
static void softmax_in_place(float *scores, int length) {
    float maximum = -INFINITY;
    for (int t = 0; t < length; ++t) maximum = scores[t] > maximum ? scores[t] : maximum;
    double total = 0;
    for (int t = 0; t < length; ++t) {
        float weight = expf(scores[t] - maximum);
        scores[t] = weight;
        total += weight;
    }
    const float inverse = (float)(1.0 / total);
    for (int t = 0; t < length; ++t) scores[t] *= inverse;
}

static void attention_portable(const float *q, const float *keys, const float *values, int length, int head_dim,
                               ptrdiff_t stride, float scale, float *scores, float *out) {
    for (int t = 0; t < length; ++t) {
        const float *k = keys + t * stride;
        float dot = 0;
        for (int i = 0; i < head_dim; ++i) dot += q[i] * k[i];
        scores[t] = dot * scale;
    }
    softmax_in_place(scores, length);
    for (int i = 0; i < head_dim; ++i) out[i] = 0;
    for (int t = 0; t < length; ++t) {
        const float *v = values + t * stride;
        const float weight = scores[t];
        for (int i = 0; i < head_dim; ++i) out[i] += weight * v[i];
    }
}

#if defined(__x86_64__)

// head_dim must be a multiple of 16 for this path; the caller checks.
__attribute__((target("avx512f")))
static void attention_avx512(const float *q, const float *keys, const float *values, int length, int head_dim,
                             ptrdiff_t stride, float scale, float *scores, float *out) {
    for (int t = 0; t < length; ++t) {
        const float *k = keys + t * stride;
        __m512 sum = _mm512_setzero_ps();
        for (int i = 0; i < head_dim; i += 16) sum = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_loadu_ps(k + i), sum);
        scores[t] = _mm512_reduce_add_ps(sum) * scale;
    }
    softmax_in_place(scores, length);
    for (int i = 0; i < head_dim; i += 16) {
        __m512 accumulator = _mm512_setzero_ps();
        for (int t = 0; t < length; ++t) {
            accumulator = _mm512_fmadd_ps(_mm512_set1_ps(scores[t]), _mm512_loadu_ps(values + t * stride + i), accumulator);
        }
        _mm512_storeu_ps(out + i, accumulator);
    }
}

// head_dim must be a multiple of 8 for this path; the caller checks.
__attribute__((target("avx2,fma")))
static void attention_avx2(const float *q, const float *keys, const float *values, int length, int head_dim,
                           ptrdiff_t stride, float scale, float *scores, float *out) {
    for (int t = 0; t < length; ++t) {
        const float *k = keys + t * stride;
        __m256 sum = _mm256_setzero_ps();
        for (int i = 0; i < head_dim; i += 8) sum = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(k + i), sum);
        __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
        half = _mm_add_ps(half, _mm_movehl_ps(half, half));
        half = _mm_add_ss(half, _mm_movehdup_ps(half));
        scores[t] = _mm_cvtss_f32(half) * scale;
    }
    softmax_in_place(scores, length);
    for (int i = 0; i < head_dim; i += 8) {
        __m256 accumulator = _mm256_setzero_ps();
        for (int t = 0; t < length; ++t) {
            accumulator = _mm256_fmadd_ps(_mm256_set1_ps(scores[t]), _mm256_loadu_ps(values + t * stride + i), accumulator);
        }
        _mm256_storeu_ps(out + i, accumulator);
    }
}

#endif

void hunch_attention_head(hunch_isa isa, const float *q, const float *keys, const float *values, int length,
                          int head_dim, ptrdiff_t stride, float scale, float *scores, float *out) {
#if defined(__x86_64__)
    if (isa == HUNCH_ISA_AVX512_VNNI && head_dim % 16 == 0) {
        attention_avx512(q, keys, values, length, head_dim, stride, scale, scores, out);
        return;
    }
    if (isa != HUNCH_ISA_PORTABLE && head_dim % 8 == 0) {
        attention_avx2(q, keys, values, length, head_dim, stride, scale, scores, out);
        return;
    }
#endif
    attention_portable(q, keys, values, length, head_dim, stride, scale, scores, out);
}
