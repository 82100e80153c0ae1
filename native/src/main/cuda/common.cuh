// Shared device helpers: the device weight formats and warp reductions.
//
// Weight formats on the device (ids match io.jserve.cuda.DeviceFormat). Every layout is made at load time by
// the repack kernels (repack.cu) from GGML's bytes; "kp" is the padded row length in values, and rows are padded
// to a multiple of 16 with zeros so the matrix kernels never bound-check weight loads.
//
// Tiling (every format but F32). The row bytes described below are not stored row after row: rows go in tiles of
// 16, and a tile stores its 64-byte row pieces unit by unit, 16 rows per unit (tiled_offset). A warp of the
// matrix kernels reads one unit of its 16-row tile as two 512-byte contiguous loads and walks units through
// contiguous memory, which streams DRAM far better than 8 rows x 64 bytes per load.
//   F32  : rows x kp floats, kp = cols (not padded; read by the CUDA-core kernel only)
//   F16  : rowsPad x kp halves, kp = roundUp(cols, 32), zero tail
//   BF16 : as F16 with bfloat16 values
//   Q8_0 : qs rowsPad x kp int8, kp = roundUp(cols, 64), permuted inside each 64-value "unit" (two GGML blocks)
//          so that lane c of a quad reads bytes [c*16, c*16+16) = values c*8..c*8+7 of block 0, then of block 1;
//          scales rowsPad x kp/32 halves (GGML's d per block)
//   Q4_0 : qs rowsPad x kp/2 bytes, kp = roundUp(cols, 128); a 128-value unit (four blocks) is 64 bytes, lane c's
//          16 bytes hold one 32-bit word per block with the nibbles of values c*8..c*8+7 (value j at bit
//          (j/2)*4 + (j%2)*16, so (w >> 4i) & 0x000F000F is the f16 mantissa pair of values 2i, 2i+1);
//          scales as Q8_0
//   Q4_K, Q6_K : GGML's own super-blocks of 256 values (144 and 210 bytes), row after row, kp = cols (a multiple of
//          256): not repacked and not padded; read by the CUDA-core kernels of kquant.cu
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

#define WF_F32 0
#define WF_F16 1
#define WF_BF16 2
#define WF_Q8_0 3
#define WF_Q4_0 4
#define WF_Q4_K 5
#define WF_Q6_K 6
#define Q4_K_BLOCK_BYTES 144
#define Q6_K_BLOCK_BYTES 210

// Byte offset of byte b of row r of a tiled weight whose rows hold rowBytes bytes (a multiple of 64).
__device__ __forceinline__ long long tiled_offset(long long r, long long b, long long rowBytes) {
    return (r >> 4) * (rowBytes << 4) + (b >> 6) * 1024 + (r & 15) * 64 + (b & 63);
}

// Byte offset of value k of a row inside a Q8_0 row (see the layout above).
__device__ __forceinline__ int q8_offset(int k) {
    return (k >> 6) * 64 + ((k >> 3) & 3) * 16 + ((k >> 5) & 1) * 8 + (k & 7);
}

// Byte offset of the 32-bit word holding value k inside a Q4_0 row, and the bit shift of its nibble.
__device__ __forceinline__ int q4_word_offset(int k) {
    return (k >> 7) * 64 + ((k >> 3) & 3) * 16 + ((k >> 5) & 3) * 4;
}
__device__ __forceinline__ int q4_shift(int k) {
    int j = k & 7;
    return (j >> 1) * 4 + (j & 1) * 16;
}

// Q4_K's 6-bit scale and minimum of sub-block j (0..7) from its 12 packed bytes (ggml's get_scale_min_k4).
__device__ __forceinline__ void q4_k_scale_min(const uint8_t* sc, int j, int* scale, int* min) {
    if (j < 4) {
        *scale = sc[j] & 63;
        *min = sc[j + 4] & 63;
    } else {
        *scale = (sc[j + 4] & 0xF) | ((sc[j - 4] >> 6) << 4);
        *min = (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4);
    }
}

// Values 8 * part .. 8 * part + 7 (part 0..31) of a Q4_K super-block: (d * scale) * q - (dmin * min), each product
// rounded as the host's Q4_KFormat rounds it (no fused multiply-add).
__device__ __forceinline__ void q4_k_part(const uint8_t* b, int part, float* w) {
    int sub = part >> 2, pair = sub >> 1, l0 = (part & 3) * 8;
    float d = __half2float(*reinterpret_cast<const __half*>(b));
    float dmin = __half2float(*reinterpret_cast<const __half*>(b + 2));
    int scale, min;
    q4_k_scale_min(b + 4, sub, &scale, &min);
    float d1 = __fmul_rn(d, (float) scale), m1 = __fmul_rn(dmin, (float) min);
    const uint8_t* q = b + 16 + 32 * pair + l0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int n = (sub & 1) ? (q[i] >> 4) : (q[i] & 15);
        w[i] = __fsub_rn(__fmul_rn(d1, (float) n), m1);
    }
}

// Values 8 * part .. 8 * part + 7 of a Q6_K super-block: (d * scale) * (q - 32), rounded as Q6_KFormat.
__device__ __forceinline__ void q6_k_part(const uint8_t* b, int part, float* w) {
    int n = part >> 4, g = (part >> 2) & 3, l0 = (part & 3) * 8;
    const uint8_t* ql = b + 64 * n + l0 + ((g & 1) ? 32 : 0);
    const uint8_t* qh = b + 128 + 32 * n + l0;
    int scale = reinterpret_cast<const int8_t*>(b + 192 + 8 * n)[(l0 >> 4) + 2 * g];
    float ds = __fmul_rn(__half2float(*reinterpret_cast<const __half*>(b + 208)), (float) scale);
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int lo = (g >= 2) ? (ql[i] >> 4) : (ql[i] & 15);
        int q = (lo | (((qh[i] >> (2 * g)) & 3) << 4)) - 32;
        w[i] = __fmul_rn(ds, (float) q);
    }
}

// One value of a row of a K-quant weight (kp values a row), through the 8-value part that holds it.
__device__ __forceinline__ float k_quant_at(int fmt, const uint8_t* q, int kp, long long row, int k) {
    float w[8];
    int blockBytes = fmt == WF_Q4_K ? Q4_K_BLOCK_BYTES : Q6_K_BLOCK_BYTES;
    const uint8_t* b = q + (row * (kp >> 8) + (k >> 8)) * blockBytes;
    if (fmt == WF_Q4_K) {
        q4_k_part(b, (k & 255) >> 3, w);
    } else {
        q6_k_part(b, (k & 255) >> 3, w);
    }
    return w[k & 7];
}

// One value of a stored weight, dequantized exactly as GGML does (q * d in float).
__device__ __forceinline__ float weight_at(int fmt, const uint8_t* __restrict__ q, const __half* __restrict__ s,
                                           int kp, long long row, int k) {
    switch (fmt) {
        case WF_F32:
            return reinterpret_cast<const float*>(q)[row * kp + k];
        case WF_F16:
            return __half2float(*reinterpret_cast<const __half*>(q + tiled_offset(row, 2LL * k, 2LL * kp)));
        case WF_BF16:
            return __bfloat162float(
                *reinterpret_cast<const __nv_bfloat16*>(q + tiled_offset(row, 2LL * k, 2LL * kp)));
        case WF_Q8_0: {
            int8_t v = reinterpret_cast<const int8_t*>(q)[tiled_offset(row, q8_offset(k), kp)];
            return (float) v * __half2float(s[row * (kp >> 5) + (k >> 5)]);
        }
        case WF_Q4_K:
        case WF_Q6_K:
            return k_quant_at(fmt, q, kp, row, k);
        default: {  // WF_Q4_0
            uint32_t w = *reinterpret_cast<const uint32_t*>(q + tiled_offset(row, q4_word_offset(k), kp >> 1));
            int n = (int) ((w >> q4_shift(k)) & 15u);
            return (float) (n - 8) * __half2float(s[row * (kp >> 5) + (k >> 5)]);
        }
    }
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over a block of blockDim.x threads (a multiple of 32, at most 1024) in a fixed order; every thread gets it.
__device__ __forceinline__ float block_sum(float v, float* scratch32) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read from a previous call
    if (lane == 0) scratch32[warp] = v;
    __syncthreads();
    float total = 0.f;
    for (int w = 0; w < warps; w++) total += scratch32[w];
    return total;
}
