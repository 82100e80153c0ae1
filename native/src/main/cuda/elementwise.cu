// Row-wise and element-wise operations of the forward pass. Each row is computed by one block in a fixed order,
// so a row's result never depends on the other rows of the step (batch invariance).
#include "common.cuh"

// out[t, :] = dequantize(table[tokenIds[t], :]); grid = tokens.
extern "C" __global__ void embed(int fmt, const uint8_t* __restrict__ q, const __half* __restrict__ s, int kp,
                                 const int* __restrict__ tokenIds, float* __restrict__ out, int cols) {
    int t = blockIdx.x;
    long long row = tokenIds[t];
    for (int k = threadIdx.x; k < cols; k += blockDim.x) {
        out[(long long) t * cols + k] = weight_at(fmt, q, s, kp, row, k);
    }
}

// out[r, i] = x[r, i] * (1 / sqrt(mean(x[r, :]^2) + eps)) * w[i], as ggml; grid = rows. May run in place.
extern "C" __global__ void rms_norm(const float* x, int fmt, const uint8_t* __restrict__ q,
                                    const __half* __restrict__ s, int kp, float eps, float* out, int cols) {
    __shared__ float scratch[32];
    const float* xr = x + (long long) blockIdx.x * cols;
    float* yr = out + (long long) blockIdx.x * cols;
    float ss = 0.f;
    for (int k = threadIdx.x; k < cols; k += blockDim.x) ss += xr[k] * xr[k];
    float scale = 1.f / sqrtf(block_sum(ss, scratch) / (float) cols + eps);
    for (int k = threadIdx.x; k < cols; k += blockDim.x) {
        yr[k] = xr[k] * scale * weight_at(fmt, q, s, kp, 0, k);
    }
}

// The residual step between blocks: x[r, :] += delta[r, :], then out[r, :] = rms_norm(x[r, :]) * w; grid = rows.
// Each thread adds, sums and scales the same columns in the same order as add then rms_norm with the same block
// size, so the result is bit-identical to the two kernels. out may alias delta (each thread reads its own
// columns of delta before writing them), not x.
extern "C" __global__ void add_rms_norm(float* x, const float* delta, int fmt, const uint8_t* __restrict__ q,
                                        const __half* __restrict__ s, int kp, float eps, float* out, int cols) {
    __shared__ float scratch[32];
    float* xr = x + (long long) blockIdx.x * cols;
    const float* dr = delta + (long long) blockIdx.x * cols;
    float* yr = out + (long long) blockIdx.x * cols;
    float ss = 0.f;
    for (int k = threadIdx.x; k < cols; k += blockDim.x) {
        float v = xr[k] + dr[k];
        xr[k] = v;
        ss += v * v;
    }
    float scale = 1.f / sqrtf(block_sum(ss, scratch) / (float) cols + eps);
    for (int k = threadIdx.x; k < cols; k += blockDim.x) {
        yr[k] = xr[k] * scale * weight_at(fmt, q, s, kp, 0, k);
    }
}

// Rotates pair p (head p / half, pair i = p % half) of one token's row xt of numHeads heads of headDim values by
// pos * invFreq[i], both values times mscale (RopeConfig.magnitudeScale, YaRN's mscale, else 1), as ggml's rope_yarn.
// invFreq[i] is RopeConfig.inverseFrequency(i), computed on the host so both backends use the same angles.
__device__ __forceinline__ void rope_pair(float* xt, int p, int half, int headDim, int neox, float pos,
                                          const float* __restrict__ invFreq, float mscale) {
    int h = p / half, i = p - h * half;
    float angle = pos * invFreq[i];
    float sn, cs;
    sincosf(angle, &sn, &cs);
    cs *= mscale;
    sn *= mscale;
    int i0 = neox ? i : 2 * i;
    int i1 = neox ? i + half : 2 * i + 1;
    float* xh = xt + h * headDim;
    float x0 = xh[i0], x1 = xh[i1];
    xh[i0] = x0 * cs - x1 * sn;
    xh[i1] = x0 * sn + x1 * cs;
}

// Rotary embedding in place on x [tokens, stride] holding numHeads heads of headDim values; grid = tokens.
extern "C" __global__ void rope(float* x, int stride, int numHeads, int headDim, int ropeDim, int neox,
                                const float* __restrict__ invFreq, const int* __restrict__ positions, float mscale) {
    int t = blockIdx.x;
    int half = ropeDim / 2;
    for (int p = threadIdx.x; p < numHeads * half; p += blockDim.x) {
        rope_pair(x + (long long) t * stride, p, half, headDim, neox, (float) positions[t], invFreq, mscale);
    }
}

// out = silu(gate) * up, element-wise over n values. May alias.
extern "C" __global__ void silu_mul(const float* gate, const float* up, float* out, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        float g = gate[i];
        out[i] = g / (1.f + expf(-g)) * up[i];
    }
}

// out = a + b, element-wise over n values. May alias.
extern "C" __global__ void add(const float* a, const float* b, float* out, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        out[i] = a[i] + b[i];
    }
}

// out = x * c, element-wise over n values (Gemma's embedding scale). May alias.
extern "C" __global__ void scale(const float* x, float c, float* out, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        out[i] = x[i] * c;
    }
}

// out = c * tanh(x / c), element-wise, as Activations.softcap: tanh(x * (1 / c)) * c. May alias.
extern "C" __global__ void softcap(const float* x, float c, float* out, long long n) {
    const float inv = 1.f / c;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        out[i] = tanhf(x[i] * inv) * c;
    }
}

// out[t, k] = x[t, k] + row[k] for x [n / cols, cols] (a bias on every token). May alias x.
extern "C" __global__ void add_row(const float* x, const float* __restrict__ row, float* out, int cols,
                                   long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        out[i] = x[i] + row[i % cols];
    }
}

// GELU as Activations.gelu (ggml's CPU path for float32): 0 at or below -10, x at or above 10, otherwise the
// tanh approximation of the input rounded to f16, itself rounded to f16 (ggml's fp16 table, one entry per input).
__device__ __forceinline__ float gelu_ggml(float x) {
    if (x <= -10.f) return 0.f;
    if (x >= 10.f) return x;
    float h = __half2float(__float2half_rn(x));
    // the float operations of Activations.geluTanh in its order, with no fused multiply-add
    float inner = __fmul_rn(__fmul_rn(0.79788456080286535587989211986876f, h),
                            __fadd_rn(1.f, __fmul_rn(__fmul_rn(0.044715f, h), h)));
    float g = __fmul_rn(__fmul_rn(0.5f, h), __fadd_rn(1.f, tanhf(inner)));
    return __half2float(__float2half_rn(g));
}

// out = gelu(gate) * up, element-wise over n values (Gemma's gated feed-forward). May alias.
extern "C" __global__ void gelu_mul(const float* gate, const float* up, float* out, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        out[i] = gelu_ggml(gate[i]) * up[i];
    }
}

// Copies token t's key and value rows into slot slotMapping[t] of one layer's K and V pools; grid = tokens.
// A negative slot (padding) stores nothing. The pools are head-major, [kvHead][slot][headDim], so the keys of one
// head for a run of slots are contiguous (what an attention block reads); the f16 pools round to nearest. k is not
// __restrict__: rope_store_kv writes it in the same kernel, and a const __restrict__ pointer may be read through
// the non-coherent cache, which would not see those writes.
template <typename KT>
__device__ __forceinline__ void store_kv_body(const float* k, const float* __restrict__ v,
                                              KT* __restrict__ kPool, KT* __restrict__ vPool,
                                              const int* __restrict__ slotMapping, int kvDim, int headDim,
                                              int numSlots) {
    int t = blockIdx.x;
    int slot = slotMapping[t];
    if (slot < 0) return;
    for (int i = threadIdx.x; i < kvDim; i += blockDim.x) {
        int h = i / headDim, d = i - h * headDim;
        long long at = ((long long) h * numSlots + slot) * headDim + d;
        float kv = k[(long long) t * kvDim + i], vv = v[(long long) t * kvDim + i];
        if constexpr (sizeof(KT) == 2) {
            kPool[at] = __float2half_rn(kv);
            vPool[at] = __float2half_rn(vv);
        } else {
            kPool[at] = kv;
            vPool[at] = vv;
        }
    }
}

extern "C" __global__ void store_kv_f16(const float* k, const float* v, __half* kPool, __half* vPool,
                                        const int* slotMapping, int kvDim, int headDim, int numSlots) {
    store_kv_body<__half>(k, v, kPool, vPool, slotMapping, kvDim, headDim, numSlots);
}

extern "C" __global__ void store_kv_f32(const float* k, const float* v, float* kPool, float* vPool,
                                        const int* slotMapping, int kvDim, int headDim, int numSlots) {
    store_kv_body<float>(k, v, kPool, vPool, slotMapping, kvDim, headDim, numSlots);
}

// rope on q and on k, then store_kv of k and v, for one token per block (grid = tokens): the same operations as
// the three kernels, so the same bits, in one launch. q is [tokens, numHeads * headDim], k and v [tokens, kvDim].
template <typename KT>
__device__ __forceinline__ void rope_store_kv_body(float* q, int numHeads, float* k, const float* __restrict__ v,
                                                   int numKvHeads, int headDim, int ropeDim, int neox,
                                                   const float* __restrict__ invFreq,
                                                   const int* __restrict__ positions, float mscale, KT* kPool,
                                                   KT* vPool, const int* __restrict__ slotMapping, int numSlots) {
    int t = blockIdx.x;
    int half = ropeDim / 2;
    float pos = (float) positions[t];
    int kvDim = numKvHeads * headDim;
    for (int p = threadIdx.x; p < numHeads * half; p += blockDim.x) {
        rope_pair(q + (long long) t * numHeads * headDim, p, half, headDim, neox, pos, invFreq, mscale);
    }
    for (int p = threadIdx.x; p < numKvHeads * half; p += blockDim.x) {
        rope_pair(k + (long long) t * kvDim, p, half, headDim, neox, pos, invFreq, mscale);
    }
    __syncthreads();  // the store reads the rotated keys of every thread
    store_kv_body<KT>(k, v, kPool, vPool, slotMapping, kvDim, headDim, numSlots);
}

extern "C" __global__ void rope_store_kv_f16(float* q, int numHeads, float* k, const float* v, int numKvHeads,
                                             int headDim, int ropeDim, int neox, const float* invFreq,
                                             const int* positions, float mscale, __half* kPool, __half* vPool,
                                             const int* slotMapping, int numSlots) {
    rope_store_kv_body<__half>(q, numHeads, k, v, numKvHeads, headDim, ropeDim, neox, invFreq, positions, mscale,
                               kPool, vPool, slotMapping, numSlots);
}

extern "C" __global__ void rope_store_kv_f32(float* q, int numHeads, float* k, const float* v, int numKvHeads,
                                             int headDim, int ropeDim, int neox, const float* invFreq,
                                             const int* positions, float mscale, float* kPool, float* vPool,
                                             const int* slotMapping, int numSlots) {
    rope_store_kv_body<float>(q, numHeads, k, v, numKvHeads, headDim, ropeDim, neox, invFreq, positions, mscale,
                              kPool, vPool, slotMapping, numSlots);
}

// Splits each row of src [tokens, c0 + c1 + c2] by columns into d0 [tokens, c0], d1 [tokens, c1] and d2
// [tokens, c2] (c2 = 0: two parts); grid = tokens. The product of a weight group (q, k and v as one matrix) goes to
// its parts' outputs this way.
extern "C" __global__ void split_columns(const float* __restrict__ src, float* __restrict__ d0, int c0,
                                         float* __restrict__ d1, int c1, float* __restrict__ d2, int c2) {
    long long t = blockIdx.x;
    int cols = c0 + c1 + c2;
    const float* row = src + t * cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float x = row[j];
        if (j < c0) {
            d0[t * c0 + j] = x;
        } else if (j < c0 + c1) {
            d1[t * c1 + j - c0] = x;
        } else {
            d2[t * c2 + j - c0 - c1] = x;
        }
    }
}

// Row gather dst[i, :] = src[list.rows[i], :] for the list's n rows (the sampled rows of a step); grid = n. The
// row list travels by value in the kernel parameters, so the gather needs no host copy and a graph can hold it.
#define GATHER_MAX_ROWS 255
struct RowList {
    int n;
    int rows[GATHER_MAX_ROWS];
};

extern "C" __global__ void gather_rows(const float* __restrict__ src, float* __restrict__ dst, int cols,
                                       RowList list) {
    int i = blockIdx.x;
    if (i >= list.n) return;
    const float* s = src + (long long) list.rows[i] * cols;
    float* d = dst + (long long) i * cols;
    for (int k = threadIdx.x; k < cols; k += blockDim.x) d[k] = s[k];
}

// Activations for the tensor-core matrix kernels: x [tokens, cols] float -> [tokens, kp] f16 (or bf16 when
// bf16 != 0), rounded to nearest, zero tail; one value per thread, grid-stride over tokens * kp.
extern "C" __global__ void to_half(const float* __restrict__ x, uint16_t* __restrict__ out, int cols, int kp,
                                   int bf16, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        long long t = i / kp;
        int k = (int) (i - t * kp);
        float v = k < cols ? x[t * cols + k] : 0.f;
        out[i] = bf16 ? __bfloat16_as_ushort(__float2bfloat16_rn(v)) : __half_as_ushort(__float2half_rn(v));
    }
}

// Busy-waits `cycles` clock cycles on one thread. The kernel profiler (KernelProfile) and the matrix benchmark
// queue it first, so the host has queued the timed kernels before the GPU reaches them: event times then measure
// the kernels, not the host's launch rate.
extern "C" __global__ void spin_wait(long long cycles) {
    long long t0 = clock64();
    while (clock64() - t0 < cycles) {
    }
}
