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
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>

#define WF_F32 0
#define WF_F16 1
#define WF_BF16 2
#define WF_Q8_0 3
#define WF_Q4_0 4

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
