// Paged causal attention over the KV pool, for decode and prefill chunks alike (AttentionMetadata).
//
// Grid (numHeads, tokens), 4 warps per block. Token t of sequence s sits at position
// p = contextLens[s] - (queryStarts[s+1] - t) and sees keys 0 .. p (ctx = p + 1 of them), found through the
// sequence's block table. Warp w takes key tiles
// w*8, w*8 + 32, ... of 8 keys (8 independent row loads in flight), keeps an online softmax (running max,
// sum, weighted values) in fp32, and the block merges the 4 warps in warp order. Nothing depends on the other
// tokens of the step, so results are batch invariant.
#include "common.cuh"

#define AT_WARPS 4
#define AT_TILE 8

template <int DPL>  // values of a head per lane: headDim <= 32 * DPL
__device__ __forceinline__ void attention_body(const float* __restrict__ q, float* __restrict__ out,
                                               const float* __restrict__ kPool, const float* __restrict__ vPool,
                                               const int* __restrict__ tokenSeq, const int* __restrict__ queryStarts,
                                               const int* __restrict__ contextLens,
                                               const int* __restrict__ blockTables, int tableStride,
                                               int blockSize, int numHeads, int numKvHeads, int headDim,
                                               float scale) {
    __shared__ float smM[AT_WARPS], smL[AT_WARPS];
    __shared__ float smAcc[AT_WARPS][DPL * 32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int h = blockIdx.x, t = blockIdx.y;
    const int s = tokenSeq[t];
    const int ctx = contextLens[s] - (queryStarts[s + 1] - t) + 1;  // its own key included
    const int kvDim = numKvHeads * headDim;
    const int kvOff = (h / (numHeads / numKvHeads)) * headDim;
    const int* table = blockTables + (long long) s * tableStride;

    float qv[DPL], acc[DPL];
    const float* qh = q + ((long long) t * numHeads + h) * headDim;
#pragma unroll
    for (int i = 0; i < DPL; i++) {
        int d = lane + 32 * i;
        qv[i] = d < headDim ? qh[d] : 0.f;
        acc[i] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    for (int j0 = warp * AT_TILE; j0 < ctx; j0 += AT_WARPS * AT_TILE) {
        int mySlot = 0;
        if (lane < AT_TILE && j0 + lane < ctx) {
            int j = j0 + lane;
            mySlot = table[j / blockSize] * blockSize + j % blockSize;
        }
        long long base[AT_TILE];
        float sc[AT_TILE];
#pragma unroll
        for (int kt = 0; kt < AT_TILE; kt++) {
            base[kt] = (long long) __shfl_sync(0xffffffffu, mySlot, kt) * kvDim + kvOff;
            float d = 0.f;
#pragma unroll
            for (int i = 0; i < DPL; i++) {
                int dd = lane + 32 * i;
                if (j0 + kt < ctx && dd < headDim) d = fmaf(qv[i], kPool[base[kt] + dd], d);
            }
            sc[kt] = d;
        }
        float tileMax = -INFINITY;
#pragma unroll
        for (int kt = 0; kt < AT_TILE; kt++) {
            sc[kt] = j0 + kt < ctx ? warp_sum(sc[kt]) * scale : -INFINITY;
            tileMax = fmaxf(tileMax, sc[kt]);
        }
        float mNew = fmaxf(m, tileMax);  // finite: key j0 is always valid here
        float corr = expf(m - mNew);
        l *= corr;
#pragma unroll
        for (int i = 0; i < DPL; i++) acc[i] *= corr;
#pragma unroll
        for (int kt = 0; kt < AT_TILE; kt++) {
            if (j0 + kt < ctx) {
                float p = expf(sc[kt] - mNew);
                l += p;
#pragma unroll
                for (int i = 0; i < DPL; i++) {
                    int dd = lane + 32 * i;
                    if (dd < headDim) acc[i] = fmaf(p, vPool[base[kt] + dd], acc[i]);
                }
            }
        }
        m = mNew;
    }
    if (lane == 0) {
        smM[warp] = m;
        smL[warp] = l;
    }
#pragma unroll
    for (int i = 0; i < DPL; i++) smAcc[warp][lane + 32 * i] = acc[i];
    __syncthreads();
    float mMax = smM[0];
    for (int w = 1; w < AT_WARPS; w++) mMax = fmaxf(mMax, smM[w]);
    float wScale[AT_WARPS];
    float total = 0.f;
#pragma unroll
    for (int w = 0; w < AT_WARPS; w++) {
        wScale[w] = smL[w] > 0.f ? expf(smM[w] - mMax) : 0.f;  // a warp with no keys holds m = -inf, l = 0
        total += smL[w] * wScale[w];
    }
    float* oh = out + ((long long) t * numHeads + h) * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float o = 0.f;
#pragma unroll
        for (int w = 0; w < AT_WARPS; w++) o = fmaf(smAcc[w][d], wScale[w], o);
        oh[d] = o / total;
    }
}

#define ATTENTION(NAME, DPL)                                                                                   \
    extern "C" __global__ void __launch_bounds__(128)                                                          \
        NAME(const float* q, float* out, const float* kPool, const float* vPool, const int* tokenSeq,          \
             const int* queryStarts, const int* contextLens, const int* blockTables, int tableStride,          \
             int blockSize, int numHeads, int numKvHeads, int headDim, float scale) {                          \
        attention_body<DPL>(q, out, kPool, vPool, tokenSeq, queryStarts, contextLens, blockTables, tableStride, \
                            blockSize, numHeads, numKvHeads, headDim, scale);                                  \
    }

ATTENTION(attention_d32, 1)
ATTENTION(attention_d64, 2)
ATTENTION(attention_d128, 4)
ATTENTION(attention_d256, 8)
