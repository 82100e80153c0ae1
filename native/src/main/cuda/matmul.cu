// Matrix products out[t, r] = sum_c w[r, c] * x[t, c] with a stored weight.
//
// Why our own kernels: JCuda's cuBLAS binding needs CUDA 12's libcublas.so.12, which the CUDA 13 GPU machines do
// not have, and cuBLAS gives no batch-invariance guarantee (it picks algorithms and split-K by shape).
//
// Work split. A warp owns one 16-row tile of the weight and one of `splits` contiguous ranges of its 64-byte
// "units" (32, 64 or 128 values of a row: one mma k-step pair), and walks its units in ascending order, every mma
// accumulating into the same fp32 registers. A block is 4 such warps on 4 consecutive row tiles (same split, same
// tokens), so the activations they read are shared through L1. The 64-token F16/BF16 kernels give a warp two
// consecutive tiles instead (RT = 2, 128 rows a block): each activation fragment loaded from L1 then feeds two
// tiles' mma, which halves the L1 traffic per weight byte; each tile keeps its own accumulators. grid = (token tiles, row blocks, splits). The
// split count is chosen from the weight's SHAPE (rows, padded columns) and the device's SM count only, to put
// enough warps in flight when there are few rows (k and v projections) or few tokens: with one split a warp
// writes its result; with several, it writes an fp32 partial, and the `splits` partials are added in split order
// (by the last block to finish for up to 8 tokens, else by mm_reduce).
//
// Batch invariance. A (token, row) result is therefore always: per split, the mma chain over that split's units
// in ascending order, then the splits added in order 0, 1, ... The token count only decides how many 8-token mma
// columns a block holds (NT), how far the loads are unrolled, and whether activations are read as fp32 (few tokens,
// rounded to f16 in registers) or from a staged f16 copy (rounded the same way by to_half): none of that changes
// an output element, which depends only on its own row, column and accumulator. So a token's result is
// bit-identical whatever it is batched with.
//
// Precision. Activations are rounded to f16 (bf16 for BF16 weights); products are exact in the fp32
// accumulators. Q8_0 and Q4_0 quants are exact small integers in f16; each block's 32-value partial sum is
// scaled by its d in fp32, as GGML defines the format.
#include "common.cuh"

#define MM_WARPS 4
#define MM_MAX_SPLITS 32

template <bool BF>
__device__ __forceinline__ void mma16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                         uint32_t b0, uint32_t b1) {
#ifdef JSERVE_EMULATOR  // the CPU emulator of src/test/emu: the same fragments, multiplied in software
    emu::mma_m16n8k16(BF, d, a0, a1, a2, a3, b0, b1);
#else
    if (BF) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
    } else {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
    }
#endif
}

// 16-byte read-only load; a plain intrinsic (not volatile asm) so the compiler may hoist it above the mma.
__device__ __forceinline__ uint4 ld_nc(const void* p) {
    return __ldg(reinterpret_cast<const uint4*>(p));
}

// 16-byte weight load that skips L1 (each weight byte is read once per block): L1 keeps the activations, which
// every warp of the block reads. Not volatile, so the compiler may still schedule it early.
__device__ __forceinline__ uint4 ld_stream(const void* p) {
#ifdef JSERVE_EMULATOR
    return *reinterpret_cast<const uint4*>(p);
#else
    uint4 v;
    asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
        : "l"(p));
    return v;
#endif
}

// The sum of the splits' partials for one output, added in split order starting from 0 (as every path does):
// all loads are issued before the first add, so the sum costs one L2 round trip.
__device__ __forceinline__ float sum_splits(const float* __restrict__ partial, long long stride, int splits) {
    float p[MM_MAX_SPLITS];
#pragma unroll
    for (int s = 0; s < MM_MAX_SPLITS; s++) p[s] = s < splits ? __ldcg(partial + s * stride) : 0.f;
    float v = 0.f;
#pragma unroll
    for (int s = 0; s < MM_MAX_SPLITS; s++) {
        if (s < splits) v += p[s];
    }
    return v;
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

// Two floats rounded to nearest as an f16 (or bf16) pair, the first in the low half: exactly what to_half stores.
template <bool BF>
__device__ __forceinline__ uint32_t pack2(float a, float b) {
    if (BF) {
        __nv_bfloat162 h = __floats2bfloat162_rn(a, b);
        return *reinterpret_cast<uint32_t*>(&h);
    } else {
        __half2 h = __floats2half2_rn(a, b);
        return *reinterpret_cast<uint32_t*>(&h);
    }
}

// Eight activations (values off .. off+7 of the flat x) as four f16/bf16 pairs, zero for a padding token. XF32:
// x is the fp32 activation tensor itself (rows of exactly kp values); else the staged f16/bf16 copy.
template <bool XF32, bool BF>
__device__ __forceinline__ uint4 load_x(const void* __restrict__ x, long long off, bool valid) {
    if (!valid) return make_uint4(0, 0, 0, 0);
    if (XF32) {
        const float4* p = reinterpret_cast<const float4*>(reinterpret_cast<const float*>(x) + off);
        float4 a = __ldg(p), b = __ldg(p + 1);
        return make_uint4(pack2<BF>(a.x, a.y), pack2<BF>(a.z, a.w), pack2<BF>(b.x, b.y), pack2<BF>(b.z, b.w));
    }
    return ld_nc(reinterpret_cast<const uint16_t*>(x) + off);
}

template <int FMT, int NT, int UNROLL, bool XF32, int RT>
__device__ __forceinline__ void mm_tc(const uint8_t* __restrict__ W, const __half* __restrict__ S,
                                      const void* __restrict__ X, float* __restrict__ out,
                                      float* __restrict__ partial, int* __restrict__ tickets, int rows, int kp,
                                      int T, int splits) {
    constexpr int UNIT_K = FMT == WF_Q4_0 ? 128 : FMT == WF_Q8_0 ? 64 : 32;  // values per 64-byte row unit
    constexpr bool BF = FMT == WF_BF16;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, c = lane & 3;
    const int tok0 = blockIdx.x * NT * 8;
    // A warp owns RT consecutive row tiles: every activation fragment it loads feeds RT mma (RT = 2 halves the
    // L1 traffic per weight byte for many tokens). Each tile keeps its own accumulators, so no sum changes.
    const int tile0 = (blockIdx.y * MM_WARPS + warp) * RT;
    const bool active = tile0 * 16 < rows;  // warps past the last row tile only join the block's barriers
    bool tileOn[RT];  // tile r holds rows (tiles past the last are neither read nor written)
    const uint8_t* wa[RT];
    const uint8_t* wb[RT];
    const __half* sa[RT];
    const __half* sb[RT];
    const long long rowBytes = (long long) kp * 64 / UNIT_K;
    const int nb = kp >> 5;  // scale blocks per row
#pragma unroll
    for (int r = 0; r < RT; r++) {
        tileOn[r] = (tile0 + r) * 16 < rows;
        const long long row0 = (long long) (tile0 + (tileOn[r] ? r : 0)) * 16;
        // Tiled layout (common.cuh): unit u of the tile is 1 KiB at tile start + u * 1024, rows g and g + 8 of it
        // 512 bytes apart; lane (g, c) reads bytes c*16 .. c*16+15 of each of its two rows.
        wa[r] = W + row0 * rowBytes + g * 64 + c * 16;
        wb[r] = wa[r] + 512;
        sa[r] = S + (row0 + g) * nb;
        sb[r] = sa[r] + 8LL * nb;
    }
    const int units = kp / UNIT_K;
    const int split = blockIdx.z;
    const int uBegin = (int) ((long long) units * split / splits);
    const int uEnd = (int) ((long long) units * (split + 1) / splits);

    long long xo[NT];  // element offset of this lane's 8 activations of token tile column j, unit 0
    bool xv[NT];
#pragma unroll
    for (int j = 0; j < NT; j++) {
        int t = tok0 + j * 8 + g;
        xv[j] = t < T;
        xo[j] = (long long) (xv[j] ? t : 0) * kp + c * 8;
    }
    float acc[RT][NT][4];
#pragma unroll
    for (int r = 0; r < RT; r++)
#pragma unroll
        for (int j = 0; j < NT; j++) acc[r][j][0] = acc[r][j][1] = acc[r][j][2] = acc[r][j][3] = 0.f;

    // Software pipeline: the weight loads of the next UNROLL units are issued before the math on the current
    // ones, so two batches are in flight per warp. The order of the math (units ascending) is unchanged.
    uint4 ra[RT][UNROLL], rb[RT][UNROLL], na[RT][UNROLL], nb2[RT][UNROLL];
    uint2 da[RT][UNROLL], db[RT][UNROLL], nda[RT][UNROLL], ndb[RT][UNROLL];
    auto load = [&](int u0, uint4 (&xa)[RT][UNROLL], uint4 (&xb)[RT][UNROLL], uint2 (&ya)[RT][UNROLL],
                    uint2 (&yb)[RT][UNROLL]) {
#pragma unroll
        for (int i = 0; i < UNROLL; i++) {
            int u = u0 + i;
            if (u < uEnd) {
#pragma unroll
                for (int r = 0; r < RT; r++) {
                    // an absent tile re-reads tile 0's bytes (always in bounds); its results are never stored
                    xa[r][i] = ld_stream(wa[r] + (long long) u * 1024);
                    xb[r][i] = ld_stream(wb[r] + (long long) u * 1024);
                    if (FMT == WF_Q8_0) {
                        ya[r][i].x = *reinterpret_cast<const uint32_t*>(sa[r] + u * 2);
                        yb[r][i].x = *reinterpret_cast<const uint32_t*>(sb[r] + u * 2);
                    } else if (FMT == WF_Q4_0) {
                        ya[r][i] = *reinterpret_cast<const uint2*>(sa[r] + u * 4);
                        yb[r][i] = *reinterpret_cast<const uint2*>(sb[r] + u * 4);
                    }
                }
            }
        }
    };
    if (active && uBegin < uEnd) load(uBegin, ra, rb, da, db);
    for (int u0 = uBegin; active && u0 < uEnd; u0 += UNROLL) {
        if (u0 + UNROLL < uEnd) load(u0 + UNROLL, na, nb2, nda, ndb);
        #pragma unroll
        for (int i = 0; i < UNROLL; i++) {
            int u = u0 + i;
            if (u >= uEnd) break;
            if (FMT == WF_F16 || FMT == WF_BF16) {
#pragma unroll
                for (int j = 0; j < NT; j++) {
                    uint4 x = load_x<XF32, BF>(X, xo[j] + (long long) u * 32, xv[j]);
#pragma unroll
                    for (int r = 0; r < RT; r++) {
                        mma16816<BF>(acc[r][j], ra[r][i].x, rb[r][i].x, ra[r][i].y, rb[r][i].y, x.x, x.y);
                        mma16816<BF>(acc[r][j], ra[r][i].z, rb[r][i].z, ra[r][i].w, rb[r][i].w, x.z, x.w);
                    }
                }
            } else {
                constexpr int BLOCKS = UNIT_K / 32;
#pragma unroll
                for (int bb = 0; bb < BLOCKS; bb++) {
                    uint32_t a[RT][8];  // step 0: a[0..3], step 1: a[4..7]
                    float dA[RT], dB[RT];
#pragma unroll
                    for (int r = 0; r < RT; r++) {
                        const uint32_t wa4[4] = {ra[r][i].x, ra[r][i].y, ra[r][i].z, ra[r][i].w};
                        const uint32_t wb4[4] = {rb[r][i].x, rb[r][i].y, rb[r][i].z, rb[r][i].w};
                        const uint32_t sa2[2] = {da[r][i].x, da[r][i].y};
                        const uint32_t sb2[2] = {db[r][i].x, db[r][i].y};
                        if (FMT == WF_Q8_0) {
                            uint32_t pa0 = wa4[2 * bb], pa1 = wa4[2 * bb + 1], pb0 = wb4[2 * bb], pb1 = wb4[2 * bb + 1];
                            a[r][0] = i8_pair(pa0, 0x4140); a[r][1] = i8_pair(pb0, 0x4140);
                            a[r][2] = i8_pair(pa0, 0x4342); a[r][3] = i8_pair(pb0, 0x4342);
                            a[r][4] = i8_pair(pa1, 0x4140); a[r][5] = i8_pair(pb1, 0x4140);
                            a[r][6] = i8_pair(pa1, 0x4342); a[r][7] = i8_pair(pb1, 0x4342);
                        } else {
                            uint32_t pa = wa4[bb], pb = wb4[bb];
                            a[r][0] = i4_pair(pa, 0); a[r][1] = i4_pair(pb, 0);
                            a[r][2] = i4_pair(pa, 1); a[r][3] = i4_pair(pb, 1);
                            a[r][4] = i4_pair(pa, 2); a[r][5] = i4_pair(pb, 2);
                            a[r][6] = i4_pair(pa, 3); a[r][7] = i4_pair(pb, 3);
                        }
                        uint32_t sA = sa2[bb >> 1], sB = sb2[bb >> 1];
                        dA[r] = __half2float(__ushort_as_half((unsigned short) ((bb & 1) ? sA >> 16 : sA & 0xffff)));
                        dB[r] = __half2float(__ushort_as_half((unsigned short) ((bb & 1) ? sB >> 16 : sB & 0xffff)));
                    }
#pragma unroll
                    for (int j = 0; j < NT; j++) {
                        uint4 x = load_x<XF32, false>(X, xo[j] + (long long) u * UNIT_K + bb * 32, xv[j]);
#pragma unroll
                        for (int r = 0; r < RT; r++) {
                            float tmp[4] = {0.f, 0.f, 0.f, 0.f};
                            mma16816<false>(tmp, a[r][0], a[r][1], a[r][2], a[r][3], x.x, x.y);
                            mma16816<false>(tmp, a[r][4], a[r][5], a[r][6], a[r][7], x.z, x.w);
                            acc[r][j][0] = fmaf(dA[r], tmp[0], acc[r][j][0]);
                            acc[r][j][1] = fmaf(dA[r], tmp[1], acc[r][j][1]);
                            acc[r][j][2] = fmaf(dB[r], tmp[2], acc[r][j][2]);
                            acc[r][j][3] = fmaf(dB[r], tmp[3], acc[r][j][3]);
                        }
                    }
                }
            }
        }
#pragma unroll
        for (int i = 0; i < UNROLL; i++)
#pragma unroll
            for (int r = 0; r < RT; r++) {
                ra[r][i] = na[r][i];
                rb[r][i] = nb2[r][i];
                da[r][i] = nda[r][i];
                db[r][i] = ndb[r][i];
            }
    }
    // Accumulator e of column group j: row g + (e >> 1) * 8, token j * 8 + c * 2 + (e & 1).
    float* dst = splits == 1 ? out : partial + (long long) split * T * rows;
#pragma unroll
    for (int r = 0; r < RT; r++) {
        if (!tileOn[r]) continue;
        const long long row0 = (long long) (tile0 + r) * 16;
#pragma unroll
        for (int j = 0; j < NT; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                long long row = row0 + g + (e >> 1) * 8;
                int tok = tok0 + j * 8 + c * 2 + (e & 1);
                if (row < rows && tok < T) dst[(long long) tok * rows + row] = acc[r][j][e];
            }
    }
    if (NT != 1 || RT != 1 || splits == 1) return;  // more tokens: mm_reduce adds the partials (same order)
    // Few tokens: the last block of this row block to finish adds the splits (threadFenceReduction), which saves
    // the mm_reduce launch on the decode path.
    __shared__ int isLast;
    __threadfence();
    __syncthreads();
    const int ticketId = blockIdx.y * gridDim.x + blockIdx.x;
    if (threadIdx.x == 0) isLast = atomicAdd(&tickets[ticketId], 1) == splits - 1;
    __syncthreads();
    if (!isLast) return;
    __threadfence();
    const long long rowBase = (long long) blockIdx.y * MM_WARPS * 16;
    const long long stride = (long long) T * rows;
    for (int o = threadIdx.x; o < MM_WARPS * 16 * 8; o += blockDim.x) {
        long long row = rowBase + o % (MM_WARPS * 16);
        int tok = tok0 + o / (MM_WARPS * 16);
        if (row < rows && tok < T) {
            out[(long long) tok * rows + row] = sum_splits(partial + (long long) tok * rows + row, stride, splits);
        }
    }
    if (threadIdx.x == 0) tickets[ticketId] = 0;  // ready for the next launch (launches on one stream never overlap)
}

// 16 bytes global -> shared without registers (cp.async.cg: L2 only), and the group fences of the pipeline below.
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
#ifdef JSERVE_EMULATOR
    memcpy(smem, gmem, 16);
#else
    unsigned dst = (unsigned) __cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(dst), "l"(gmem));
#endif
}

__device__ __forceinline__ void cp_async_commit() {
#ifndef JSERVE_EMULATOR
    asm volatile("cp.async.commit_group;");
#endif
}

// Waits until at most N of this thread's committed groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
#ifndef JSERVE_EMULATOR
    asm volatile("cp.async.wait_group %0;" ::"n"(N));
#endif
}

// The 64-token F16/BF16 product (mm_*_n8) with the weights and activations staged through shared memory by
// cp.async in a SM_STAGES-deep pipeline, so each block keeps SM_STAGES - 1 units of 128 rows and 64 tokens in
// flight without holding them in registers (the register-fed kernel keeps one unit ahead and streams about 1 TB/s
// at 64 tokens). The block and warp tiling, the split ranges and every mma are those of mm_tc<FMT, 8, *, false, 2>
// in the same order (per unit ascending, the unit's first 16 columns then its last 16, the same fragments), so each
// output is bit-identical to it: a drop-in for the 33-64-token width that keeps batch invariance. Shared rows are 64
// bytes: a quarter-warp's 16-byte fragment loads (8 lanes: rows g, g + 1 x 4 pieces) touch 32 distinct banks.
#define SM_STAGES 3
#define SM_ROWS 128  // weight rows a block covers: 4 warps x 2 tiles of 16
#define SM_TOKENS 64

template <bool BF>
__device__ __forceinline__ void mm_smem_body(const uint8_t* __restrict__ W, const uint16_t* __restrict__ X,
                                             float* __restrict__ out, float* __restrict__ partial, int rows, int kp,
                                             int T, int splits) {
    __shared__ __align__(16) uint8_t smW[SM_STAGES][SM_ROWS * 64];
    __shared__ __align__(16) uint8_t smX[SM_STAGES][SM_TOKENS * 64];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, c = lane & 3;
    const int tok0 = blockIdx.x * SM_TOKENS;
    const int tileBase = blockIdx.y * (SM_ROWS / 16);
    const int numTiles = (rows + 15) / 16;
    const long long rowBytes = (long long) kp * 2;
    const int units = kp / 32;
    const int split = blockIdx.z;
    const int uBegin = (int) ((long long) units * split / splits);
    const int uEnd = (int) ((long long) units * (split + 1) / splits);

    // unit u of the block's 8 row tiles (each 1 KiB contiguous in the tiled layout) and of its 64 tokens' staged
    // activations, 16 bytes a copy; tiles past the last and tokens past T copy tile 0 / token 0 (never stored)
    auto load = [&](int u, int stage) {
        for (int i = threadIdx.x; i < SM_ROWS * 4; i += blockDim.x) {
            int r = i >> 2, piece = i & 3;
            int tile = tileBase + (r >> 4);
            if (tile >= numTiles) tile = 0;
            cp_async16(&smW[stage][r * 64 + piece * 16],
                       W + (long long) tile * 16 * rowBytes + (long long) u * 1024 + (r & 15) * 64 + piece * 16);
        }
        for (int i = threadIdx.x; i < SM_TOKENS * 4; i += blockDim.x) {
            int t = i >> 2, piece = i & 3;
            int tok = tok0 + t < T ? tok0 + t : 0;
            cp_async16(&smX[stage][t * 64 + piece * 16], X + (long long) tok * kp + (long long) u * 32 + piece * 8);
        }
    };

    float acc[2][8][4];
#pragma unroll
    for (int r = 0; r < 2; r++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[r][j][0] = acc[r][j][1] = acc[r][j][2] = acc[r][j][3] = 0.f;

#pragma unroll
    for (int s = 0; s < SM_STAGES - 1; s++) {
        if (uBegin + s < uEnd) load(uBegin + s, s);
        cp_async_commit();  // one group per unit, empty past the end, so the wait count below stays right
    }
    for (int u = uBegin; u < uEnd; u++) {
        const int stage = (u - uBegin) % SM_STAGES;
        cp_async_wait<SM_STAGES - 2>();  // this thread's copies of unit u have landed
        __syncthreads();                 // everyone's have; and everyone is done with the stage loaded next
        const int next = u + SM_STAGES - 1;
        if (next < uEnd) load(next, (next - uBegin) % SM_STAGES);
        cp_async_commit();
        uint4 ra[2], rb[2];
#pragma unroll
        for (int r = 0; r < 2; r++) {
            const int row = warp * 32 + r * 16 + g;  // the block's row of this lane's fragment (and row + 8)
            ra[r] = *reinterpret_cast<const uint4*>(&smW[stage][row * 64 + c * 16]);
            rb[r] = *reinterpret_cast<const uint4*>(&smW[stage][(row + 8) * 64 + c * 16]);
        }
#pragma unroll
        for (int j = 0; j < 8; j++) {
            const uint4 x = *reinterpret_cast<const uint4*>(&smX[stage][(j * 8 + g) * 64 + c * 16]);
#pragma unroll
            for (int r = 0; r < 2; r++) {
                mma16816<BF>(acc[r][j], ra[r].x, rb[r].x, ra[r].y, rb[r].y, x.x, x.y);
                mma16816<BF>(acc[r][j], ra[r].z, rb[r].z, ra[r].w, rb[r].w, x.z, x.w);
            }
        }
    }
    cp_async_wait<0>();

    // the stores of mm_tc: accumulator e of column group j is row g + (e >> 1) * 8, token j * 8 + c * 2 + (e & 1)
    float* dst = splits == 1 ? out : partial + (long long) split * T * rows;
#pragma unroll
    for (int r = 0; r < 2; r++) {
        const long long row0 = (long long) (tileBase + warp * 2 + r) * 16;
#pragma unroll
        for (int j = 0; j < 8; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                long long row = row0 + g + (e >> 1) * 8;
                int tok = tok0 + j * 8 + c * 2 + (e & 1);
                if (row < rows && tok < T) dst[(long long) tok * rows + row] = acc[r][j][e];
            }
    }
}

// Same parameters as the MM_TC kernels (S and tickets unused: F16/BF16 have no scales, and mm_reduce adds splits).
extern "C" __global__ void __launch_bounds__(MM_WARPS * 32, 4)
mm_f16_n8s(const uint8_t* W, const __half* S, const void* X, float* out, float* partial, int* tickets, int rows,
           int kp, int T, int splits) {
    mm_smem_body<false>(W, reinterpret_cast<const uint16_t*>(X), out, partial, rows, kp, T, splits);
}

extern "C" __global__ void __launch_bounds__(MM_WARPS * 32, 4)
mm_bf16_n8s(const uint8_t* W, const __half* S, const void* X, float* out, float* partial, int* tickets, int rows,
            int kp, int T, int splits) {
    mm_smem_body<true>(W, reinterpret_cast<const uint16_t*>(X), out, partial, rows, kp, T, splits);
}

// out[t, r] = sum over s of partial[s, t, r], added in split order s = 0, 1, ...; n = T * rows outputs.
extern "C" __global__ void mm_reduce(const float* __restrict__ partial, float* __restrict__ out, long long n,
                                     int splits) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        out[i] = sum_splits(partial + i, n, splits);
    }
}

// One kernel per (format, tokens per block, activation source). The unroll depth (weight units loaded ahead) only
// schedules loads: fewer tokens leave registers for more bytes in flight.
#define MM_TC(NAME, FMT, NT, UNROLL, XF32, RT, MINB)                                                          \
    extern "C" __global__ void __launch_bounds__(MM_WARPS * 32, MINB)                                            \
        NAME(const uint8_t* W, const __half* S, const void* X, float* out, float* partial, int* tickets,      \
             int rows, int kp, int T, int splits) {                                                           \
        mm_tc<FMT, NT, UNROLL, XF32, RT>(W, S, X, out, partial, tickets, rows, kp, T, splits);                \
    }

// Unroll depths per token count: quantized units carry more values (and dequantization temporaries) per load.
// R8: row tiles per warp of the 64-token kernel (mirrored by DeviceFormat.wideRowTiles). Two tiles need 2 x 32
// accumulators, more than the 128 registers that 4 blocks per SM allow, so such a kernel asks for MINB8 = 3.
// The quantized formats keep one tile: their dequantization temporaries would spill.
#define MM_FORMAT(PREFIX, FMT, U1, U2, U4, U8, R8, MINB8)           \
    MM_TC(PREFIX##_n1x, FMT, 1, U1, true, 1, 4)                     \
    MM_TC(PREFIX##_n1, FMT, 1, U1, false, 1, 4)                     \
    MM_TC(PREFIX##_n2, FMT, 2, U2, false, 1, 4)                     \
    MM_TC(PREFIX##_n4, FMT, 4, U4, false, 1, 4)                     \
    MM_TC(PREFIX##_n8, FMT, 8, U8, false, R8, MINB8)

MM_FORMAT(mm_f16, WF_F16, 4, 4, 2, 1, 2, 3)
MM_FORMAT(mm_bf16, WF_BF16, 4, 4, 2, 1, 2, 3)
MM_FORMAT(mm_q8_0, WF_Q8_0, 4, 2, 2, 1, 1, 4)
MM_FORMAT(mm_q4_0, WF_Q4_0, 2, 2, 1, 1, 1, 4)

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
