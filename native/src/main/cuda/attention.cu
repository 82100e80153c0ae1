// Paged causal attention over the KV pool, for decode and prefill chunks alike (AttentionMetadata).
//
// Token t of sequence s sits at position p = contextLens[s] - (queryStarts[s+1] - t) and sees keys 0 .. p
// (ctx = p + 1 of them), found through the sequence's block table. With a sliding window w > 0 it sees only keys
// p - w + 1 .. p (llama.cpp's SWA mask hides key j when p - j >= w): the visible range [first, ctx) is what the
// splits below cut, so a split never holds a masked key. With a soft-cap c > 0 a score s = scale * (q . k)
// becomes tanh(s * (1 / c)) * c before the softmax (AttentionConfig.capScore).
//
// Work split (flash-decoding). A block owns one KV head, up to AT_GROUP of the query heads that share it (GQA:
// K and V are read once for the group), one token, and one of num_splits(ctx) contiguous key ranges of
// split_keys(ctx) keys. Its 4 warps take tiles of AT_TILE keys (w*8, w*8 + 32, ...) of the range, each keeping an
// online softmax (running max, sum, weighted values) per head in fp32, and the block merges its warps in warp
// order. With one split the block writes the output; with several it writes (max, sum, weighted values) and
// attention_combine merges the splits in split order.
//
// Batch invariance. The split size, the tiles and every reduction order depend only on the token's own ctx and
// the head shape, never on the other tokens of the step, so results are batch invariant.
//
// KV storage: KT = __half (default; rounded to nearest when stored, as llama.cpp's default f16 cache) or float,
// head-major: [kvHead][slot][headDim] per layer (store_kv in elementwise.cu), so a block's keys are contiguous
// within each cache block of slots.
// A lane holds DPL consecutive values of a head (headDim <= 32 * DPL), so a key row is one coalesced load per
// warp when headDim == 32 * DPL (8 bytes per lane for 128 f16 values).
#include "common.cuh"

#define AT_WARPS 4
#define AT_TILE 8       // keys per warp tile
#define AT_GROUP 4      // query heads per block: AT_TILE * AT_GROUP = 32 (key, head) scores per tile, one per lane
#define AT_MAX_SPLITS 16
#define AT_MIN_SPLIT 128  // keys: a block has 4 tiles per warp to amortize its set-up and merge

// Keys per split for a token that sees ctx keys: at least AT_MIN_SPLIT, a multiple of 32, at most AT_MAX_SPLITS
// splits. Mirrored by AttentionLauncher.maxSplits.
__device__ __forceinline__ int split_keys(int ctx) {
    int k = (ctx + AT_MAX_SPLITS - 1) / AT_MAX_SPLITS;
    k = (k + 31) & ~31;
    return k > AT_MIN_SPLIT ? k : AT_MIN_SPLIT;
}

__device__ __forceinline__ int num_splits(int ctx) {
    int k = split_keys(ctx);
    return (ctx + k - 1) / k;
}

__device__ __forceinline__ int token_ctx(const int* tokenSeq, const int* queryStarts, const int* contextLens, int t,
                                         int* seq) {
    int s = tokenSeq[t];
    *seq = s;
    return contextLens[s] - (queryStarts[s + 1] - t) + 1;  // its own key included
}

// The first key a token that sees ctx keys attends to: 0, or ctx - window with a sliding window (window > 0).
__device__ __forceinline__ int first_key(int ctx, int window) {
    return window > 0 && ctx > window ? ctx - window : 0;
}

// DPL consecutive KV values of one lane, as loaded (KT bits).
template <typename KT, int DPL>
struct KvLane {
    static constexpr int BYTES = DPL * (int) sizeof(KT);
    static constexpr int WORDS = BYTES >= 4 ? BYTES / 4 : 1;
    uint32_t w[WORDS];

    __device__ __forceinline__ float at(int i) const {
        if constexpr (sizeof(KT) == 2) {
            uint32_t word = w[i >> 1];
            return __half2float(__ushort_as_half((unsigned short) ((i & 1) ? word >> 16 : word & 0xffffu)));
        } else {
            return __uint_as_float(w[i]);
        }
    }

    // Values d0 .. d0 + DPL - 1 of the row at p (p points at value d0). exact: every value is inside the head and
    // the address is aligned for one vector load; else values at or past headDim read as 0.
    __device__ __forceinline__ void load(const KT* p, bool exact, int d0, int headDim) {
        if (exact) {
            if constexpr (BYTES == 2) {
                w[0] = *reinterpret_cast<const unsigned short*>(p);
            } else if constexpr (BYTES == 4) {
                w[0] = *reinterpret_cast<const uint32_t*>(p);
            } else if constexpr (BYTES == 8) {
                uint2 v = *reinterpret_cast<const uint2*>(p);
                w[0] = v.x; w[1] = v.y;
            } else {
#pragma unroll
                for (int i = 0; i < BYTES / 16; i++) {
                    uint4 v = reinterpret_cast<const uint4*>(p)[i];
                    w[4 * i] = v.x; w[4 * i + 1] = v.y; w[4 * i + 2] = v.z; w[4 * i + 3] = v.w;
                }
            }
            return;
        }
#pragma unroll
        for (int i = 0; i < WORDS; i++) w[i] = 0;
#pragma unroll
        for (int i = 0; i < DPL; i++) {
            if (d0 + i < headDim) {
                if constexpr (sizeof(KT) == 2) {
                    uint32_t bits = *reinterpret_cast<const unsigned short*>(p + i);
                    w[i >> 1] |= (i & 1) ? bits << 16 : bits;
                } else {
                    w[i] = __float_as_uint(p[i]);
                }
            }
        }
    }

    __device__ __forceinline__ void zero() {
#pragma unroll
        for (int i = 0; i < WORDS; i++) w[i] = 0;
    }
};

// Sums 32 values over the warp's 32 lanes at once: afterwards lane L holds the total of v[L] (a butterfly that
// halves the values a lane keeps at each of the 5 steps: 31 shuffles instead of 32 x 5). Fixed order per index.
template <int O>
__device__ __forceinline__ void transpose_step(float (&v)[32], int lane) {
    const bool upper = lane & O;
#pragma unroll
    for (int i = 0; i < O; i++) {
        float send = upper ? v[i] : v[i + O];
        float keep = upper ? v[i + O] : v[i];
        v[i] = keep + __shfl_xor_sync(0xffffffffu, send, O);
    }
}

__device__ __forceinline__ float transpose_sum32(float (&v)[32], int lane) {
    transpose_step<16>(v, lane);
    transpose_step<8>(v, lane);
    transpose_step<4>(v, lane);
    transpose_step<2>(v, lane);
    transpose_step<1>(v, lane);
    return v[0];
}

template <typename KT, int DPL>
__device__ __forceinline__ void attention_body(const float* __restrict__ q, float* __restrict__ out,
                                               float* __restrict__ partM, float* __restrict__ partL,
                                               float* __restrict__ partAcc, const KT* __restrict__ kPool,
                                               const KT* __restrict__ vPool, const int* __restrict__ tokenSeq,
                                               const int* __restrict__ queryStarts, const int* __restrict__ contextLens,
                                               const int* __restrict__ blockTables, int tableStride, int blockSize,
                                               int numHeads, int numKvHeads, int headDim, float scale, int t0,
                                               int numSlots, float softcap, int window) {
    __shared__ float smP[AT_WARPS][32];
    __shared__ float smM[AT_WARPS][AT_GROUP], smL[AT_WARPS][AT_GROUP];
    __shared__ float smAcc[AT_WARPS][AT_GROUP][DPL * 32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int group = numHeads / numKvHeads;
    const int chunks = (group + AT_GROUP - 1) / AT_GROUP;
    const int kvh = blockIdx.x / chunks;
    const int h0 = kvh * group + (blockIdx.x % chunks) * AT_GROUP;  // first query head of the block
    const int nh = min(AT_GROUP, kvh * group + group - h0);         // heads of the block
    const int lt = blockIdx.y, t = t0 + lt;
    int s;
    const int ctx = token_ctx(tokenSeq, queryStarts, contextLens, t, &s);
    const int first = first_key(ctx, window), visible = ctx - first;
    const int ns = num_splits(visible), split = blockIdx.z;
    if (split >= ns) return;  // the whole block: the barrier below is never reached by part of it
    const int sk = split_keys(visible);
    const int kBegin = first + split * sk, kEnd = min(ctx, kBegin + sk);
    const int d0 = lane * DPL;
    const bool exact = headDim == 32 * DPL;
    const int* table = blockTables + (long long) s * tableStride;

    float qv[AT_GROUP][DPL], acc[AT_GROUP][DPL], m[AT_GROUP], l[AT_GROUP];
#pragma unroll
    for (int g = 0; g < AT_GROUP; g++) {
        const float* qh = q + ((long long) t * numHeads + h0 + g) * headDim;
#pragma unroll
        for (int i = 0; i < DPL; i++) {
            qv[g][i] = g < nh && d0 + i < headDim ? qh[d0 + i] : 0.f;
            acc[g][i] = 0.f;
        }
        m[g] = -INFINITY;
        l[g] = 0.f;
    }
    const int myKey = lane >> 2, myHead = lane & 3;  // the (key, head) score a lane owns after the reduction
    for (int j0 = kBegin + warp * AT_TILE; j0 < kEnd; j0 += AT_WARPS * AT_TILE) {
        int mySlot = 0;
        if (lane < AT_TILE && j0 + lane < kEnd) {
            int j = j0 + lane;
            mySlot = table[j / blockSize] * blockSize + j % blockSize;
        }
        KvLane<KT, DPL> kr[AT_TILE], vr[AT_TILE];
#pragma unroll
        for (int kt = 0; kt < AT_TILE; kt++) {  // every K and V load of the tile before any math
            long long base = ((long long) kvh * numSlots + __shfl_sync(0xffffffffu, mySlot, kt)) * headDim + d0;
            if (j0 + kt < kEnd) {
                kr[kt].load(kPool + base, exact, d0, headDim);
                vr[kt].load(vPool + base, exact, d0, headDim);
            } else {
                kr[kt].zero();
                vr[kt].zero();
            }
        }
        float part[32];
#pragma unroll
        for (int kt = 0; kt < AT_TILE; kt++)
#pragma unroll
            for (int g = 0; g < AT_GROUP; g++) {
                float d = 0.f;
#pragma unroll
                for (int i = 0; i < DPL; i++) d = fmaf(qv[g][i], kr[kt].at(i), d);
                part[kt * AT_GROUP + g] = d;
            }
        float sc = transpose_sum32(part, lane);
        sc *= scale;
        if (softcap > 0.f) sc = tanhf(sc * (1.f / softcap)) * softcap;  // the same in every block: batch invariant
        sc = j0 + myKey < kEnd ? sc : -INFINITY;
        float tileMax = sc;  // per head: lanes of one head differ in bits 2..4
        tileMax = fmaxf(tileMax, __shfl_xor_sync(0xffffffffu, tileMax, 4));
        tileMax = fmaxf(tileMax, __shfl_xor_sync(0xffffffffu, tileMax, 8));
        tileMax = fmaxf(tileMax, __shfl_xor_sync(0xffffffffu, tileMax, 16));
        float mNew[AT_GROUP], corr[AT_GROUP];
#pragma unroll
        for (int g = 0; g < AT_GROUP; g++) {
            mNew[g] = fmaxf(m[g], __shfl_sync(0xffffffffu, tileMax, g));  // finite: key j0 is always valid here
            corr[g] = expf(m[g] - mNew[g]);
        }
        float mMine = myHead == 0 ? mNew[0] : myHead == 1 ? mNew[1] : myHead == 2 ? mNew[2] : mNew[3];
        float p = expf(sc - mMine);  // 0 for keys past the range
        float pSum = p;
        pSum += __shfl_xor_sync(0xffffffffu, pSum, 4);
        pSum += __shfl_xor_sync(0xffffffffu, pSum, 8);
        pSum += __shfl_xor_sync(0xffffffffu, pSum, 16);
#pragma unroll
        for (int g = 0; g < AT_GROUP; g++) {
            l[g] = l[g] * corr[g] + __shfl_sync(0xffffffffu, pSum, g);
            m[g] = mNew[g];
#pragma unroll
            for (int i = 0; i < DPL; i++) acc[g][i] *= corr[g];
        }
        smP[warp][lane] = p;
        __syncwarp();
#pragma unroll
        for (int kt = 0; kt < AT_TILE; kt++) {
            if (j0 + kt < kEnd) {
                float4 p4 = *reinterpret_cast<const float4*>(&smP[warp][kt * AT_GROUP]);
#pragma unroll
                for (int i = 0; i < DPL; i++) {
                    float v = vr[kt].at(i);
                    acc[0][i] = fmaf(p4.x, v, acc[0][i]);
                    acc[1][i] = fmaf(p4.y, v, acc[1][i]);
                    acc[2][i] = fmaf(p4.z, v, acc[2][i]);
                    acc[3][i] = fmaf(p4.w, v, acc[3][i]);
                }
            }
        }
        __syncwarp();
    }
    if (lane == 0) {
#pragma unroll
        for (int g = 0; g < AT_GROUP; g++) {
            smM[warp][g] = m[g];
            smL[warp][g] = l[g];
        }
    }
#pragma unroll
    for (int g = 0; g < AT_GROUP; g++)
#pragma unroll
        for (int i = 0; i < DPL; i++) smAcc[warp][g][d0 + i] = acc[g][i];
    __syncthreads();
    for (int o = threadIdx.x; o < nh * headDim; o += blockDim.x) {
        int g = o / headDim, d = o - g * headDim;
        float mMax = smM[0][g];
        for (int w = 1; w < AT_WARPS; w++) mMax = fmaxf(mMax, smM[w][g]);
        float total = 0.f, val = 0.f;
#pragma unroll
        for (int w = 0; w < AT_WARPS; w++) {
            float ws = smL[w][g] > 0.f ? expf(smM[w][g] - mMax) : 0.f;  // a warp with no keys: m = -inf, l = 0
            total += smL[w][g] * ws;
            val = fmaf(smAcc[w][g][d], ws, val);
        }
        int h = h0 + g;
        if (ns == 1) {
            out[((long long) t * numHeads + h) * headDim + d] = val / total;
        } else {
            long long at = ((long long) lt * numHeads + h) * AT_MAX_SPLITS + split;
            partAcc[at * headDim + d] = val;
            if (d == 0) {
                partM[at] = mMax;
                partL[at] = total;
            }
        }
    }
}

#define ATTENTION(NAME, KT, DPL)                                                                                 \
    extern "C" __global__ void __launch_bounds__(AT_WARPS * 32)                                                  \
        NAME(const float* q, float* out, float* partM, float* partL, float* partAcc, const KT* kPool,           \
             const KT* vPool, const int* tokenSeq, const int* queryStarts, const int* contextLens,               \
             const int* blockTables, int tableStride, int blockSize, int numHeads, int numKvHeads, int headDim,  \
             float scale, int t0, int numSlots, float softcap, int window) {                                     \
        attention_body<KT, DPL>(q, out, partM, partL, partAcc, kPool, vPool, tokenSeq, queryStarts, contextLens, \
                                blockTables, tableStride, blockSize, numHeads, numKvHeads, headDim, scale, t0,   \
                                numSlots, softcap, window);                                                      \
    }

ATTENTION(attention_f16_d32, __half, 1)
ATTENTION(attention_f16_d64, __half, 2)
ATTENTION(attention_f16_d128, __half, 4)
ATTENTION(attention_f16_d256, __half, 8)
ATTENTION(attention_f32_d32, float, 1)
ATTENTION(attention_f32_d64, float, 2)
ATTENTION(attention_f32_d128, float, 4)
ATTENTION(attention_f32_d256, float, 8)

// Merges the splits of the tokens that have more than one, in split order; grid = (numHeads, tokens of the chunk).
extern "C" __global__ void attention_combine(float* __restrict__ out, const float* __restrict__ partM,
                                             const float* __restrict__ partL, const float* __restrict__ partAcc,
                                             const int* __restrict__ tokenSeq, const int* __restrict__ queryStarts,
                                             const int* __restrict__ contextLens, int numHeads, int headDim, int t0,
                                             int window) {
    const int h = blockIdx.x, lt = blockIdx.y, t = t0 + lt;
    int s;
    const int ctx = token_ctx(tokenSeq, queryStarts, contextLens, t, &s);
    const int ns = num_splits(ctx - first_key(ctx, window));
    if (ns == 1) return;  // written by the attention kernel
    const long long base = ((long long) lt * numHeads + h) * AT_MAX_SPLITS;
    float mMax = partM[base];
    for (int i = 1; i < ns; i++) mMax = fmaxf(mMax, partM[base + i]);
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float total = 0.f, val = 0.f;
        for (int i = 0; i < ns; i++) {
            float ws = expf(partM[base + i] - mMax);  // every split holds at least one key: l > 0, m finite
            total += partL[base + i] * ws;
            val = fmaf(partAcc[(base + i) * headDim + d], ws, val);
        }
        out[((long long) t * numHeads + h) * headDim + d] = val / total;
    }
}
