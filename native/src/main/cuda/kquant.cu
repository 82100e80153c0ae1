// Matrix products with K-quant weights (Q4_K, Q6_K) kept in GGML's own blocks on the device, on CUDA cores: each
// warp computes one weight row for up to 8 tokens. A lane dequantizes 8 values of each super-block (the part it
// owns, as common.cuh's q4_k_part / q6_k_part, bit-exactly as the host) and multiplies them with those columns of
// every token; each token's sum is then reduced across the warp in a fixed order, so a row's result depends only on
// its token's activations (batch invariance). The backend launches it once per 8 tokens.
#include "common.cuh"

#define KQ_WARPS 4
#define KQ_TOKENS 8

template <int FMT>
__device__ __forceinline__ void kq_mv(const uint8_t* __restrict__ W, const float* __restrict__ x,
                                      float* __restrict__ out, int rows, int cols, int tokens) {
    const int lane = threadIdx.x & 31;
    const long long row = (long long) blockIdx.x * KQ_WARPS + (threadIdx.x >> 5);
    if (row >= rows) return;  // the whole warp: no barrier below, only its own shuffles
    const int blockBytes = FMT == WF_Q4_K ? Q4_K_BLOCK_BYTES : Q6_K_BLOCK_BYTES;
    const int nb = cols >> 8;
    const uint8_t* wr = W + row * nb * blockBytes;
    float acc[KQ_TOKENS];
#pragma unroll
    for (int t = 0; t < KQ_TOKENS; t++) acc[t] = 0.f;
    for (int b = 0; b < nb; b++) {
        float w[8];
        if (FMT == WF_Q4_K) {
            q4_k_part(wr + (long long) b * blockBytes, lane, w);
        } else {
            q6_k_part(wr + (long long) b * blockBytes, lane, w);
        }
        const int k0 = b * 256 + lane * 8;
#pragma unroll
        for (int t = 0; t < KQ_TOKENS; t++) {
            if (t < tokens) {
                const float4* xt = reinterpret_cast<const float4*>(x + (long long) t * cols + k0);
                float4 a = xt[0], c = xt[1];
                float s = w[0] * a.x;
                s = fmaf(w[1], a.y, s);
                s = fmaf(w[2], a.z, s);
                s = fmaf(w[3], a.w, s);
                s = fmaf(w[4], c.x, s);
                s = fmaf(w[5], c.y, s);
                s = fmaf(w[6], c.z, s);
                s = fmaf(w[7], c.w, s);
                acc[t] += s;
            }
        }
    }
#pragma unroll
    for (int t = 0; t < KQ_TOKENS; t++) {
        if (t < tokens) {
            float v = warp_sum(acc[t]);
            if (lane == 0) out[(long long) t * rows + row] = v;
        }
    }
}

// out[t, r] = sum_c W[r, c] * x[t, c] for t < tokens (at most 8); x [tokens, cols] 16-byte aligned rows, out
// [tokens, rows]; grid = ceil(rows / KQ_WARPS), block = 32 * KQ_WARPS.
extern "C" __global__ void __launch_bounds__(KQ_WARPS * 32)
mv_q4_k(const uint8_t* __restrict__ W, const float* __restrict__ x, float* __restrict__ out, int rows, int cols,
        int tokens) {
    kq_mv<WF_Q4_K>(W, x, out, rows, cols, tokens);
}

extern "C" __global__ void __launch_bounds__(KQ_WARPS * 32)
mv_q6_k(const uint8_t* __restrict__ W, const float* __restrict__ x, float* __restrict__ out, int rows, int cols,
        int tokens) {
    kq_mv<WF_Q6_K>(W, x, out, rows, cols, tokens);
}
