// Matrix products out[t, r] = sum_c w[r, c] * x[t, c] with a stored weight.
//
// Why our own kernels: JCuda's cuBLAS binding needs CUDA 12's libcublas.so.12, which the CUDA 13 GPU machines do
// not have, and cuBLAS gives no batch-invariance guarantee (it picks algorithms and split-K by shape).
//
// Batch invariance. One tensor-core kernel per weight format serves every token count: a block owns 16 weight
// rows and NT*8 tokens, each of its 4 warps owns the 64-byte "units" u = warp, warp + 4, ... of the row, walked
// in ascending order, and the 4 warp partials are added in warp order. That order depends only on the weight's
// shape, never on the number of tokens or on NT (which only decides how many 8-token mma columns a block
// holds), and an mma's output element depends only on its own row, column and accumulator. So a token's result is
// bit-identical whatever it is batched with. Few tokens stay bandwidth-bound: every lane streams 16-byte loads,
// four units in flight, and the padded mma columns cost tensor-core time that a GEMV would not use anyway.
//
// Precision. Activations are rounded to f16 (bf16 for BF16 weights) by to_half; products are exact in the fp32
// accumulators. Q8_0 and Q4_0 quants are exact small integers in f16; each block's 32-value partial sum is
// scaled by its d in fp32, as GGML defines the format.
#include "common.cuh"

#define MM_WARPS 4
#define MM_UNROLL 4

template <bool BF>
__device__ __forceinline__ void mma16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                         uint32_t b0, uint32_t b1) {
    if (BF) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
    } else {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
    }
}

// 16-byte read-only load; a plain intrinsic (not volatile asm) so the compiler may hoist it above the mma.
__device__ __forceinline__ uint4 ld_nc(const void* p) {
    return __ldg(reinterpret_cast<const uint4*>(p));
}

__device__ __forceinline__ uint32_t hsub2_bits(uint32_t x, float c) {
    __half2 h = __hsub2(*reinterpret_cast<__half2*>(&x), __float2half2_rn(c));
    return *reinterpret_cast<uint32_t*>(&h);
}

// Two signed bytes of w (selected by sel: 0x4140 = bytes 0,1; 0x4342 = bytes 2,3) as an exact f16 pair.
__device__ __forceinline__ uint32_t i8_pair(uint32_t w, uint32_t sel) {
    return hsub2_bits(__byte_perm(w ^ 0x80808080u, 0x64646464u, sel), 1152.f);  // 1024 + (q + 128) - 1152 = q
}

// Nibble pair i of a Q4_0 word (values 2i, 2i+1) as an exact f16 pair n - 8.
__device__ __forceinline__ uint32_t i4_pair(uint32_t w, int i) {
    return hsub2_bits(((w >> (4 * i)) & 0x000F000Fu) | 0x64006400u, 1032.f);  // 1024 + n - 1032 = n - 8
}

template <int FMT, int NT>
__device__ __forceinline__ void mm_tc(const uint8_t* __restrict__ W, const __half* __restrict__ S,
                                      const uint16_t* __restrict__ X, float* __restrict__ out, int rows, int kp,
                                      int T) {
    constexpr int UNIT_K = FMT == WF_Q4_0 ? 128 : FMT == WF_Q8_0 ? 64 : 32;  // values per 64-byte row unit
    constexpr bool BF = FMT == WF_BF16;
    __shared__ float red[MM_WARPS][NT][4][32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, c = lane & 3;
    const int tok0 = blockIdx.x * NT * 8;
    const long long row0 = (long long) blockIdx.y * 16;
    const long long rowBytes = (long long) kp * 64 / UNIT_K;
    const uint8_t* wa = W + (row0 + g) * rowBytes + c * 16;
    const uint8_t* wb = wa + 8 * rowBytes;
    const int nb = kp >> 5;  // scale blocks per row
    const __half* sa = S + (row0 + g) * nb;
    const __half* sb = sa + 8LL * nb;
    const int units = kp / UNIT_K;

    const uint16_t* xr[NT];
    bool xv[NT];
#pragma unroll
    for (int j = 0; j < NT; j++) {
        int t = tok0 + j * 8 + g;
        xv[j] = t < T;
        xr[j] = X + (long long) (xv[j] ? t : 0) * kp + c * 8;
    }
    float acc[NT][4];
#pragma unroll
    for (int j = 0; j < NT; j++) acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.f;

    for (int u0 = warp; u0 < units; u0 += MM_WARPS * MM_UNROLL) {
        uint4 ra[MM_UNROLL], rb[MM_UNROLL];
        uint2 da[MM_UNROLL], db[MM_UNROLL];
#pragma unroll
        for (int i = 0; i < MM_UNROLL; i++) {  // issue every weight load of the iteration before any math
            int u = u0 + i * MM_WARPS;
            if (u < units) {
                ra[i] = ld_nc(wa + (long long) u * 64);
                rb[i] = ld_nc(wb + (long long) u * 64);
                if (FMT == WF_Q8_0) {
                    da[i].x = *reinterpret_cast<const uint32_t*>(sa + u * 2);
                    db[i].x = *reinterpret_cast<const uint32_t*>(sb + u * 2);
                } else if (FMT == WF_Q4_0) {
                    da[i] = *reinterpret_cast<const uint2*>(sa + u * 4);
                    db[i] = *reinterpret_cast<const uint2*>(sb + u * 4);
                }
            }
        }
#pragma unroll
        for (int i = 0; i < MM_UNROLL; i++) {
            int u = u0 + i * MM_WARPS;
            if (u >= units) break;
            if (FMT == WF_F16 || FMT == WF_BF16) {
#pragma unroll
                for (int j = 0; j < NT; j++) {
                    uint4 x = xv[j] ? ld_nc(xr[j] + u * 32) : make_uint4(0, 0, 0, 0);
                    mma16816<BF>(acc[j], ra[i].x, rb[i].x, ra[i].y, rb[i].y, x.x, x.y);
                    mma16816<BF>(acc[j], ra[i].z, rb[i].z, ra[i].w, rb[i].w, x.z, x.w);
                }
            } else {
                constexpr int BLOCKS = UNIT_K / 32;
                const uint32_t wa4[4] = {ra[i].x, ra[i].y, ra[i].z, ra[i].w};
                const uint32_t wb4[4] = {rb[i].x, rb[i].y, rb[i].z, rb[i].w};
                const uint32_t sa2[2] = {da[i].x, da[i].y};
                const uint32_t sb2[2] = {db[i].x, db[i].y};
#pragma unroll
                for (int bb = 0; bb < BLOCKS; bb++) {
                    uint32_t a0, a1, a2, a3, a4, a5, a6, a7;  // step 0: a0..a3, step 1: a4..a7
                    if (FMT == WF_Q8_0) {
                        uint32_t pa0 = wa4[2 * bb], pa1 = wa4[2 * bb + 1], pb0 = wb4[2 * bb], pb1 = wb4[2 * bb + 1];
                        a0 = i8_pair(pa0, 0x4140); a1 = i8_pair(pb0, 0x4140);
                        a2 = i8_pair(pa0, 0x4342); a3 = i8_pair(pb0, 0x4342);
                        a4 = i8_pair(pa1, 0x4140); a5 = i8_pair(pb1, 0x4140);
                        a6 = i8_pair(pa1, 0x4342); a7 = i8_pair(pb1, 0x4342);
                    } else {
                        uint32_t pa = wa4[bb], pb = wb4[bb];
                        a0 = i4_pair(pa, 0); a1 = i4_pair(pb, 0); a2 = i4_pair(pa, 1); a3 = i4_pair(pb, 1);
                        a4 = i4_pair(pa, 2); a5 = i4_pair(pb, 2); a6 = i4_pair(pa, 3); a7 = i4_pair(pb, 3);
                    }
                    uint32_t sA = sa2[bb >> 1], sB = sb2[bb >> 1];
                    float dA = __half2float(__ushort_as_half((unsigned short) ((bb & 1) ? sA >> 16 : sA & 0xffff)));
                    float dB = __half2float(__ushort_as_half((unsigned short) ((bb & 1) ? sB >> 16 : sB & 0xffff)));
#pragma unroll
                    for (int j = 0; j < NT; j++) {
                        uint4 x = xv[j] ? ld_nc(xr[j] + u * UNIT_K + bb * 32) : make_uint4(0, 0, 0, 0);
                        float tmp[4] = {0.f, 0.f, 0.f, 0.f};
                        mma16816<false>(tmp, a0, a1, a2, a3, x.x, x.y);
                        mma16816<false>(tmp, a4, a5, a6, a7, x.z, x.w);
                        acc[j][0] = fmaf(dA, tmp[0], acc[j][0]);
                        acc[j][1] = fmaf(dA, tmp[1], acc[j][1]);
                        acc[j][2] = fmaf(dB, tmp[2], acc[j][2]);
                        acc[j][3] = fmaf(dB, tmp[3], acc[j][3]);
                    }
                }
            }
        }
    }
#pragma unroll
    for (int j = 0; j < NT; j++)
#pragma unroll
        for (int e = 0; e < 4; e++) red[warp][j][e][lane] = acc[j][e];
    __syncthreads();
    for (int o = threadIdx.x; o < NT * 128; o += blockDim.x) {
        int j = o >> 7, e = (o >> 5) & 3, l = o & 31;
        float v = red[0][j][e][l];
#pragma unroll
        for (int w = 1; w < MM_WARPS; w++) v += red[w][j][e][l];  // fixed warp order
        long long row = row0 + (l >> 2) + (e >> 1) * 8;
        int tok = tok0 + j * 8 + (l & 3) * 2 + (e & 1);
        if (row < rows && tok < T) out[(long long) tok * rows + row] = v;
    }
}

#define MM_TC(NAME, FMT, NT)                                                                                  \
    extern "C" __global__ void __launch_bounds__(128) NAME(const uint8_t* W, const __half* S, const uint16_t* X, \
                                                           float* out, int rows, int kp, int T) {            \
        mm_tc<FMT, NT>(W, S, X, out, rows, kp, T);                                                            \
    }

MM_TC(mm_f16_n1, WF_F16, 1)
MM_TC(mm_f16_n2, WF_F16, 2)
MM_TC(mm_f16_n4, WF_F16, 4)
MM_TC(mm_bf16_n1, WF_BF16, 1)
MM_TC(mm_bf16_n2, WF_BF16, 2)
MM_TC(mm_bf16_n4, WF_BF16, 4)
MM_TC(mm_q8_0_n1, WF_Q8_0, 1)
MM_TC(mm_q8_0_n2, WF_Q8_0, 2)
MM_TC(mm_q8_0_n4, WF_Q8_0, 4)
MM_TC(mm_q4_0_n1, WF_Q4_0, 1)
MM_TC(mm_q4_0_n2, WF_Q4_0, 2)
MM_TC(mm_q4_0_n4, WF_Q4_0, 4)

// F32 weights on CUDA cores in fp32: one warp per weight row, four tokens per block column, lane-strided sums
// reduced by a butterfly. Each (token, row) is summed in the same order whatever the token count.
extern "C" __global__ void __launch_bounds__(128) mm_f32(const float* __restrict__ W, const float* __restrict__ X,
                                                         float* __restrict__ out, int rows, int cols, int T) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const long long row = (long long) blockIdx.y * 4 + warp;
    if (row >= rows) return;
    const int t0 = blockIdx.x * 4;
    const float* w = W + row * cols;
    float acc[4] = {0.f, 0.f, 0.f, 0.f};
    for (int k = lane; k < cols; k += 32) {
        float wk = w[k];
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (t0 + j < T) acc[j] = fmaf(wk, X[(long long) (t0 + j) * cols + k], acc[j]);
        }
    }
#pragma unroll
    for (int j = 0; j < 4; j++) {
        float s = warp_sum(acc[j]);
        if (lane == 0 && t0 + j < T) out[(long long) (t0 + j) * rows + row] = s;
    }
}
