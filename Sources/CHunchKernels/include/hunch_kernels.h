#ifndef HUNCH_KERNELS_H
#define HUNCH_KERNELS_H

// int8 kernels for hunch, with a portable C path and x86 SIMD paths chosen at
// run time from the CPU's features.
//
// Packed weight layout (the "Q8x16" layout). A matrix of `rows` x `columns`
// (columns a multiple of 32) is split into groups of 16 rows (the last group is
// padded with zero rows) and blocks of 32 columns. Tile (group g, block b) sits
// at byte offset (g * blocks + b) * HUNCH_Q8X16_TILE_BYTES and holds:
//   - 16 scales as IEEE half floats, one per row of the group (32 bytes);
//   - 512 signed int8 values ordered [chunk 0..7][row 0..15][4 values], where
//     chunk j holds columns 32b + 4j ... 32b + 4j + 3.
// So one 64-byte line holds 4 columns of all 16 rows: a single VNNI
// instruction multiplies it with 4 activation bytes broadcast to every row,
// and one float conversion per tile covers 16 rows. Weight values lie in
// [-127, 127].
//
// Activations are quantised per row in blocks of 32 (like GGML's Q8_0):
// int8 values q, one float scale d per block, and the int32 sum of the q of
// each block (used to undo the +128 offset of the unsigned VNNI operand).

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HUNCH_Q8_BLOCK 32
#define HUNCH_Q8X16_ROWS 16
#define HUNCH_Q8X16_TILE_BYTES (HUNCH_Q8X16_ROWS * 2 + HUNCH_Q8X16_ROWS * HUNCH_Q8_BLOCK)
// One GGML Q8_0 block: a little-endian half scale d, then 32 int8 values q (x = d * q).
#define HUNCH_Q8_0_BLOCK_BYTES (2 + HUNCH_Q8_BLOCK)
// Most activation rows one pass over the weights serves; larger batches are split.
#define HUNCH_MATMUL_MAX_ROWS 16

typedef enum {
    HUNCH_ISA_PORTABLE = 0,
    HUNCH_ISA_AVX2 = 1,
    HUNCH_ISA_AVX512_VNNI = 2,
} hunch_isa;

// The best instruction set this CPU supports.
hunch_isa hunch_detect_isa(void);
const char *hunch_isa_name(hunch_isa isa);

// Quantises `count` floats (a multiple of 32) into int8 `q`, one scale per block
// in `scales` and the sum of each block's q in `sums`.
void hunch_quantize_row_q8(hunch_isa isa, const float *x, int count,
                           int8_t *q, float *scales, int32_t *sums);

// IEEE binary16 bits of `value`, rounded to nearest with ties to even
// (overflow gives infinity, NaN stays NaN).
uint16_t hunch_float_to_half(float value);

// Quantises `count` weights (a multiple of 32) into count / 32 Q8_0 blocks at
// `blocks`. Per block: d = max|x| / 127 rounded to a half (NaN elements are
// ignored); q = x / d rounded to nearest-even and clamped to [-127, 127],
// with the division done as a multiplication by 1 / d, and q = 0 when d is 0
// or infinite or x / d is NaN. Every isa gives the same bytes.
void hunch_quantize_weights_q8_0(hunch_isa isa, const float *x, int count, uint8_t *blocks);

// Writes row `row` of a Q8x16 matrix with `blocks` blocks per row from
// `blocks` Q8_0 blocks at `source`: the scales as they are, the values with
// -128 raised to -127.
void hunch_q8x16_set_row_q8_0(uint8_t *weights, int blocks, int row, const uint8_t *source);

// y[m * y_stride + r] = sum over k of W[r][k] * X[m][k], for the rows r < rows
// of the groups [group_begin, group_end) and the activation rows m in
// [0, m_count). `weights` points at tile (0, 0); `blocks` = columns / 32.
// Activation row m is q + m * columns, with scales + m * blocks and
// sums + m * blocks. The result for each (m, r) does not depend on m_count or
// on the group range: a batch gives bit-identical values to one row at a time.
void hunch_matmul_q8x16(hunch_isa isa, const uint8_t *weights, int blocks, int rows,
                        int group_begin, int group_end,
                        const int8_t *q, const float *scales, const int32_t *sums,
                        int m_count, float *y, ptrdiff_t y_stride);

// Attention of one query head over `length` cached positions.
// keys and values: [length][head_dim] rows, `stride` floats apart.
// scores: scratch for `length` floats. out: [head_dim].
// out = sum_t softmax_t(scale * q . k_t) * v_t, with the softmax computed
// after subtracting the maximum score.
void hunch_attention_head(hunch_isa isa, const float *q, const float *keys, const float *values,
                          int length, int head_dim, ptrdiff_t stride, float scale,
                          float *scores, float *out);

// Returns the wrapping sum of data[0..<count]. It streams memory the way a
// decoding step streams weights (prefetching ahead), so timing it measures the
// read bandwidth that bounds decoding at batch 1.
uint64_t hunch_sum_words(const uint64_t *data, size_t count);

// A hint to the CPU inside spin-wait loops.
static inline void hunch_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

#ifdef __cplusplus
}
#endif

#endif
