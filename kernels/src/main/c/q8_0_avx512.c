/*
 * Q8_0 x Q8_0 matrix product with AVX-512 VNNI (vpdpbusd), called from Java through the FFM API (see
 * io.jserve.kernels.cpu.NativeQ8Kernel). Java owns threading: each worker calls this once per matmul with its
 * own range of weight rows.
 *
 * Numerics (shared bit for bit with the Java kernel Q8_0Int8Kernel and the scalar oracle in the tests):
 *   isum[b]   = exact integer sum over the 32 values of block b of w * x
 *   s[b]      = float(dw[b] * dx[b])                  (dw: fp16 weight scale, dx: activation scale)
 *   acc[b%16] = fma(float(isum[b]), s[b], acc[b%16])    for b = 0, 1, 2, ... in order
 *   y         = ((acc[0] + acc[1]) + acc[2]) + ... + acc[15]
 * A row's result therefore does not depend on the other tokens, the row split or this file's register layout.
 *
 * vpdpbusd multiplies unsigned by signed bytes: the weights are offset to unsigned (w + 128, by xor 0x80) and
 * the excess 128 * sum(x) is taken off with the block sums the activation quantizer stores.
 */
#include <immintrin.h>
#include <stdint.h>

/* Tokens sharing each loaded weight group: 8 accumulators + 8 weight registers fit the 32 zmm registers. */
#define TOKEN_TILE 8

/*
 * The 8 dot vectors of a group (vector i: blocks 2i and 2i+1, 8 int lanes each) reduced to one vector of 16
 * block sums. Lane k of the result holds block PERM[k] of the group (see lane_of_block below).
 */
static inline __m512i reduce8(__m512i v0, __m512i v1, __m512i v2, __m512i v3, __m512i v4, __m512i v5,
                              __m512i v6, __m512i v7) {
    __m512i a01 = _mm512_add_epi32(_mm512_unpacklo_epi32(v0, v1), _mm512_unpackhi_epi32(v0, v1));
    __m512i a23 = _mm512_add_epi32(_mm512_unpacklo_epi32(v2, v3), _mm512_unpackhi_epi32(v2, v3));
    __m512i a45 = _mm512_add_epi32(_mm512_unpacklo_epi32(v4, v5), _mm512_unpackhi_epi32(v4, v5));
    __m512i a67 = _mm512_add_epi32(_mm512_unpacklo_epi32(v6, v7), _mm512_unpackhi_epi32(v6, v7));
    __m512i c03 = _mm512_add_epi32(_mm512_unpacklo_epi64(a01, a23), _mm512_unpackhi_epi64(a01, a23));
    __m512i c47 = _mm512_add_epi32(_mm512_unpacklo_epi64(a45, a67), _mm512_unpackhi_epi64(a45, a67));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(c03, c47, 0x88), _mm512_shuffle_i32x4(c03, c47, 0xDD));
}

/* PERM[k]: the block (within its group of 16) whose sum reduce8 leaves in lane k. */
static const int32_t PERM[16] = {0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15};

static inline float lane_sum(__m512 acc) {
    float lanes[16], canonical[16];
    _mm512_storeu_ps(lanes, acc);
    for (int k = 0; k < 16; k++) {
        canonical[PERM[k]] = lanes[k];
    }
    float s = canonical[0];
    for (int k = 1; k < 16; k++) {
        s += canonical[k];
    }
    return s;
}

/* Two blocks' 32 quants (at p and p + 34) in one register, offset to unsigned; zero where a block is absent. */
static inline __m512i load_pair(const uint8_t *p, int have) {
    const __m256i bias = _mm256_set1_epi8((char) 0x80);
    __m256i lo = have > 0 ? _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) p), bias) : _mm256_setzero_si256();
    __m256i hi = have > 1 ? _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) (p + 34)), bias)
                          : _mm256_setzero_si256();
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static inline uint16_t half_at(const uint8_t *p) {
    return (uint16_t) (p[0] | (p[1] << 8));
}

/*
 * out[t * out_stride + r] for rows r in [r0, r1) and tokens t in [0, tokens).
 *   w          Q8_0 rows, row_bytes apart (34 bytes per block: fp16 scale, 32 int8)
 *   nb         blocks per row
 *   xq         int8 activations, nb * 32 per token, contiguous
 *   xd         float activation scale per block, nb per token
 *   xs         int32 sum of the block's quants, nb per token
 */
void jserve_q8_0_matmul(const uint8_t *w, int64_t row_bytes, int32_t r0, int32_t r1, int32_t nb,
                        const int8_t *xq, const float *xd, const int32_t *xs, int32_t tokens,
                        float *out, int64_t out_stride) {
    const __m512i perm = _mm512_loadu_si512(PERM);
    const int groups = (nb + 15) / 16;
    const int prefetch = tokens > 1;
    for (int32_t r = r0; r < r1; r++) {
        const uint8_t *row = w + (int64_t) r * row_bytes;
        for (int32_t t0 = 0; t0 < tokens; t0 += TOKEN_TILE) {
            const int tile = tokens - t0 < TOKEN_TILE ? tokens - t0 : TOKEN_TILE;
            __m512 acc[TOKEN_TILE];
            for (int t = 0; t < TOKEN_TILE; t++) {
                acc[t] = _mm512_setzero_ps();
            }
            for (int g = 0; g < groups; g++) {
                const int b0 = 16 * g;
                const int have = nb - b0 < 16 ? nb - b0 : 16;
                const uint8_t *gw = row + 34L * b0;
                if (prefetch) {
                    for (int i = 0; i < 16 * 34; i += 64) {
                        _mm_prefetch((const char *) (gw + 2048 + i), _MM_HINT_T0);
                    }
                }
                __m512i wv[8];
                for (int i = 0; i < 8; i++) {
                    wv[i] = load_pair(gw + 68L * i + 2, have - 2 * i);
                }
                uint16_t dh[16];
                for (int k = 0; k < 16; k++) {
                    dh[k] = PERM[k] < have ? half_at(gw + 34L * PERM[k]) : 0;
                }
                const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) dh));
                const __mmask16 lanes = (__mmask16) ((1u << have) - 1);
                for (int t = 0; t < tile; t++) {
                    const int64_t tb = (int64_t) (t0 + t) * nb + b0;
                    const int8_t *xp = xq + 32 * tb;
                    __m512i v[8];
                    for (int i = 0; i < 8; i++) {
                        int n = have - 2 * i; /* blocks present in this pair */
                        __m512i x;
                        if (n >= 2) {
                            x = _mm512_loadu_si512(xp + 64 * i);
                        } else if (n == 1) {
                            x = _mm512_maskz_loadu_epi8(0xFFFFFFFFULL, xp + 64 * i);
                        } else {
                            x = _mm512_setzero_si512();
                        }
                        v[i] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv[i], x);
                    }
                    __m512i isum = reduce8(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
                    __m512i xsum = _mm512_permutexvar_epi32(perm, _mm512_maskz_loadu_epi32(lanes, xs + tb));
                    isum = _mm512_sub_epi32(isum, _mm512_slli_epi32(xsum, 7));
                    __m512 dx = _mm512_permutexvar_ps(perm, _mm512_maskz_loadu_ps(lanes, xd + tb));
                    acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(dw, dx), acc[t]);
                }
            }
            for (int t = 0; t < tile; t++) {
                out[(int64_t) (t0 + t) * out_stride + r] = lane_sum(acc[t]);
            }
        }
    }
}

/* A version stamp the Java side checks, so a stale library from an older build is not used by mistake. */
int32_t jserve_q8_0_abi_version(void) {
    return 1;
}
