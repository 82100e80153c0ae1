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
                /* 2 KiB ahead: +4 % at one token, +28 % at eight (research/cpu-kernels.md), streaming from DRAM */
                for (int i = 0; i < 16 * 34; i += 64) {
                    _mm_prefetch((const char *) (gw + 2048 + i), _MM_HINT_T0);
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

/*
 * Batched kernel: lanes are tokens. The activations are first packed (jserve_q8_0_pack) so that, for a tile of
 * 16 tokens and a block b, vector j holds bytes 4j .. 4j+3 of block b of each of the 16 tokens; broadcasting
 * the weight's bytes 4j .. 4j+3 and accumulating vpdpbusd over j = 0..7 then leaves each token's exact block
 * sum in its own lane, with no horizontal reduction. The 16 accumulators acc[b % 16] (one register per class,
 * a lane per token) are added in order at the end: the same float steps as the single-token kernel.
 *
 * Packed layout, per tile of 16 tokens (missing tokens zero) and block b, PACKED_BLOCK bytes:
 *   8 x 64 bytes of quants as above, 16 floats dx, 16 ints 128 * sum(quants).
 */
#define PACKED_BLOCK (8 * 64 + 64 + 64)
#define TILE 16
/* Weight rows per pass over the token tiles: 32 rows of up to 6 KB stay in L2 while every tile visits them. */
#define ROW_BLOCK 32

int64_t jserve_q8_0_packed_bytes(int32_t tokens, int32_t nb) {
    const int width = TILE;
    return (int64_t) ((tokens + width - 1) / width) * nb * 40 * width;
}

/* Tiles of 16 tokens; per block 40 * 16 bytes: 8 x 64 bytes of quants, 16 dx, 16 sums (see PACKED_BLOCK). */
void jserve_q8_0_pack(const int8_t *xq, const float *xd, const int32_t *xs, int32_t tokens, int32_t nb,
                      uint8_t *packed) {
    const int width = TILE;
    const int tiles = (tokens + width - 1) / width;
    for (int tile = 0; tile < tiles; tile++) {
        for (int b = 0; b < nb; b++) {
            uint8_t *p = packed + ((int64_t) tile * nb + b) * 40 * width;
            int32_t *q = (int32_t *) p;
            float *d = (float *) (p + 32 * width);
            int32_t *s = (int32_t *) (p + 36 * width);
            for (int lane = 0; lane < width; lane++) {
                int t = tile * width + lane;
                const int32_t *src = (const int32_t *) (xq + ((int64_t) t * nb + b) * 32);
                for (int j = 0; j < 8; j++) {
                    int32_t four;
                    if (t < tokens) {
                        __builtin_memcpy(&four, src + j, 4);
                    } else {
                        four = 0;
                    }
                    q[j * width + lane] = four;
                }
                d[lane] = t < tokens ? xd[(int64_t) t * nb + b] : 0.0f;
                s[lane] = t < tokens ? 128 * xs[(int64_t) t * nb + b] : 0;
            }
        }
    }
}

/* One block of one row against one packed tile: acc = fma(float(isum), dw * dx, acc). */
#define TILE_BLOCK(acc, b)                                                                                      \
    do {                                                                                                        \
        const uint8_t *wb_ = row + 34L * (b);                                                                    \
        const uint8_t *pb_ = tp + (int64_t) (b) * PACKED_BLOCK;                                                  \
        __m512i s0_ = _mm512_setzero_si512(), s1_ = _mm512_setzero_si512();                                     \
        int32_t w4_[8];                                                                                         \
        __builtin_memcpy(w4_, wb_ + 2, 32);                                                                      \
        s0_ = _mm512_dpbusd_epi32(s0_, _mm512_set1_epi32(w4_[0] ^ 0x80808080), _mm512_load_si512(pb_));          \
        s1_ = _mm512_dpbusd_epi32(s1_, _mm512_set1_epi32(w4_[1] ^ 0x80808080), _mm512_load_si512(pb_ + 64));     \
        s0_ = _mm512_dpbusd_epi32(s0_, _mm512_set1_epi32(w4_[2] ^ 0x80808080), _mm512_load_si512(pb_ + 128));    \
        s1_ = _mm512_dpbusd_epi32(s1_, _mm512_set1_epi32(w4_[3] ^ 0x80808080), _mm512_load_si512(pb_ + 192));    \
        s0_ = _mm512_dpbusd_epi32(s0_, _mm512_set1_epi32(w4_[4] ^ 0x80808080), _mm512_load_si512(pb_ + 256));    \
        s1_ = _mm512_dpbusd_epi32(s1_, _mm512_set1_epi32(w4_[5] ^ 0x80808080), _mm512_load_si512(pb_ + 320));    \
        s0_ = _mm512_dpbusd_epi32(s0_, _mm512_set1_epi32(w4_[6] ^ 0x80808080), _mm512_load_si512(pb_ + 384));    \
        s1_ = _mm512_dpbusd_epi32(s1_, _mm512_set1_epi32(w4_[7] ^ 0x80808080), _mm512_load_si512(pb_ + 448));    \
        __m512i isum_ = _mm512_sub_epi32(_mm512_add_epi32(s0_, s1_), _mm512_load_si512(pb_ + 576));              \
        __m512 dw_ = _mm512_set1_ps(_cvtsh_ss(half_at(wb_)));                                                    \
        __m512 sc_ = _mm512_mul_ps(dw_, _mm512_load_ps((const float *) (pb_ + 512)));                            \
        acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum_), sc_, acc);                                              \
    } while (0)

/* jserve_q8_0_matmul_packed for tiles of 16 tokens. */
static void matmul_packed16(const uint8_t *w, int64_t row_bytes, int32_t r0, int32_t r1, int32_t nb,
                               const uint8_t *packed, int32_t tokens, float *out, int64_t out_stride) {
    const int tiles = (tokens + TILE - 1) / TILE;
    const int full = nb / 16;
    for (int32_t rb = r0; rb < r1; rb += ROW_BLOCK) {
        const int32_t re = rb + ROW_BLOCK < r1 ? rb + ROW_BLOCK : r1;
        for (int tile = 0; tile < tiles; tile++) {
            const uint8_t *tp = packed + (int64_t) tile * nb * PACKED_BLOCK;
            for (int32_t r = rb; r < re; r++) {
                const uint8_t *row = w + (int64_t) r * row_bytes;
                __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                __m512 a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
                for (int g = 0; g < full; g++) {
                    const int b = 16 * g;
                    _mm_prefetch((const char *) (row + 34L * b + 34L * 16 * 2), _MM_HINT_T0);
                    TILE_BLOCK(a0, b); TILE_BLOCK(a1, b + 1); TILE_BLOCK(a2, b + 2); TILE_BLOCK(a3, b + 3);
                    TILE_BLOCK(a4, b + 4); TILE_BLOCK(a5, b + 5); TILE_BLOCK(a6, b + 6); TILE_BLOCK(a7, b + 7);
                    TILE_BLOCK(a8, b + 8); TILE_BLOCK(a9, b + 9); TILE_BLOCK(a10, b + 10); TILE_BLOCK(a11, b + 11);
                    TILE_BLOCK(a12, b + 12); TILE_BLOCK(a13, b + 13); TILE_BLOCK(a14, b + 14);
                    TILE_BLOCK(a15, b + 15);
                }
                const int b = 16 * full; /* the last nb % 16 blocks, each into its own class */
                switch (nb - b) {
                    case 15: TILE_BLOCK(a14, b + 14); /* fall through */
                    case 14: TILE_BLOCK(a13, b + 13); /* fall through */
                    case 13: TILE_BLOCK(a12, b + 12); /* fall through */
                    case 12: TILE_BLOCK(a11, b + 11); /* fall through */
                    case 11: TILE_BLOCK(a10, b + 10); /* fall through */
                    case 10: TILE_BLOCK(a9, b + 9); /* fall through */
                    case 9: TILE_BLOCK(a8, b + 8); /* fall through */
                    case 8: TILE_BLOCK(a7, b + 7); /* fall through */
                    case 7: TILE_BLOCK(a6, b + 6); /* fall through */
                    case 6: TILE_BLOCK(a5, b + 5); /* fall through */
                    case 5: TILE_BLOCK(a4, b + 4); /* fall through */
                    case 4: TILE_BLOCK(a3, b + 3); /* fall through */
                    case 3: TILE_BLOCK(a2, b + 2); /* fall through */
                    case 2: TILE_BLOCK(a1, b + 1); /* fall through */
                    case 1: TILE_BLOCK(a0, b); /* fall through */
                    default: break;
                }
                /* acc[0] + acc[1] + ... + acc[15], left to right, lane by lane (token by token) */
                __m512 y = _mm512_add_ps(a0, a1);
                y = _mm512_add_ps(y, a2); y = _mm512_add_ps(y, a3); y = _mm512_add_ps(y, a4);
                y = _mm512_add_ps(y, a5); y = _mm512_add_ps(y, a6); y = _mm512_add_ps(y, a7);
                y = _mm512_add_ps(y, a8); y = _mm512_add_ps(y, a9); y = _mm512_add_ps(y, a10);
                y = _mm512_add_ps(y, a11); y = _mm512_add_ps(y, a12); y = _mm512_add_ps(y, a13);
                y = _mm512_add_ps(y, a14); y = _mm512_add_ps(y, a15);
                float lanes[TILE];
                _mm512_storeu_ps(lanes, y);
                const int n = tokens - tile * TILE < TILE ? tokens - tile * TILE : TILE;
                for (int k = 0; k < n; k++) {
                    out[(int64_t) (tile * TILE + k) * out_stride + r] = lanes[k];
                }
            }
        }
    }
}

/*
 * out[t * out_stride + r] for rows r in [r0, r1) and all tokens, from activations packed by jserve_q8_0_pack
 * (64-byte aligned). Bit-identical to jserve_q8_0_matmul.
 */
void jserve_q8_0_matmul_packed(const uint8_t *w, int64_t row_bytes, int32_t r0, int32_t r1, int32_t nb,
                               const uint8_t *packed, int32_t tokens, float *out, int64_t out_stride) {
    matmul_packed16(w, row_bytes, r0, r1, nb, packed, tokens, out, out_stride);
}

/*
 * XOR of the 64-byte lines in [p, p + n) (n a multiple of 256, p 64-byte aligned): a plain streaming read, the
 * memory-bandwidth probe that the decode step is compared with (bench/cpu/MemoryBandwidth).
 */
int64_t jserve_read_xor(const uint8_t *p, int64_t n) {
    __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
    for (int64_t o = 0; o < n; o += 256) {
        a = _mm512_xor_si512(a, _mm512_load_si512(p + o));
        b = _mm512_xor_si512(b, _mm512_load_si512(p + o + 64));
        c = _mm512_xor_si512(c, _mm512_load_si512(p + o + 128));
        d = _mm512_xor_si512(d, _mm512_load_si512(p + o + 192));
    }
    return _mm512_reduce_add_epi64(_mm512_xor_si512(_mm512_xor_si512(a, b), _mm512_xor_si512(c, d)));
}

/* A version stamp the Java side checks, so a stale library from an older build is not used by mistake. */
int32_t jserve_q8_0_abi_version(void) {
    return 3;
}
