// Logit summaries for sampling on the host (io.jserve.kernels.LogitSummary): per row, the k largest logits with
// their ids (largest first, lower id first on ties, as LogitSummaries.summarizeRow) and the softmax normalizers
// sum exp(x - max) and sum exp((x - max) * invT). One block per row; the host then copies k * 8 + 8 bytes a row
// instead of the row (a 128K vocabulary is 512 KB a row).
//
// The k-th largest value is found by radix select over order-preserving 32-bit keys (four 8-bit passes, each a
// shared-memory histogram of the keys that match the digits chosen so far); the candidates are the keys above it
// and, of the keys equal to it, the lowest ids (taken in id order when not all of them fit); a bitonic sort of
// (key, ~id) puts them in order.
#include "common.cuh"

#define SUMMARY_THREADS 1024
#define SUMMARY_MAX_K 256
#define SUMMARY_MAX_ROWS 255

// Inverse temperatures of the rows of one launch, by value (as RowList in elementwise.cu): n, then n floats.
struct TemperatureList {
    int n;
    float invT[SUMMARY_MAX_ROWS];
};

// Keys in the order of the floats: -inf < ... < -0 = +0 < ... < +inf. -0 is read as +0 so that the two tie, as
// they do for the host's comparisons.
__device__ __forceinline__ unsigned int order_key(float x) {
    unsigned int u = __float_as_uint(x == 0.f ? 0.f : x);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// A candidate as one sortable word: key above, ~id below, so descending order is key descending, id ascending.
// Padding is 0, below every real candidate (~id has its top bit set for every id < 2^31).
__device__ __forceinline__ unsigned long long candidate(unsigned int key, int id) {
    return ((unsigned long long) key << 32) | (unsigned int) ~id;
}

__device__ __forceinline__ float block_max(float v, float* scratch32) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch32[warp] = v;
    __syncthreads();
    float m = -INFINITY;
    for (int w = 0; w < warps; w++) m = fmaxf(m, scratch32[w]);
    return m;
}

// grid = rows of this launch, block = SUMMARY_THREADS. logits [rows, cols]; outIds/outValues [rows, k] (the first
// min(k, cols) of each row written); outSums [rows, 2]. k <= SUMMARY_MAX_K.
extern "C" __global__ void __launch_bounds__(SUMMARY_THREADS)
summarize_logits(const float* __restrict__ logits, int cols, int k, TemperatureList temps, int* __restrict__ outIds,
                 float* __restrict__ outValues, float* __restrict__ outSums) {
    __shared__ float scratch[32];
    __shared__ unsigned int hist[256];
    __shared__ unsigned long long cand[SUMMARY_MAX_K];
    __shared__ unsigned int warpTies[32];
    __shared__ unsigned int shPrefix, shRemaining, shTies, shGreater, shTaken, shDone;

    const int row = blockIdx.x;
    const int tid = threadIdx.x;
    const float* x = logits + (long long) row * cols;
    const int kk = min(k, cols);

    // 1. the maximum, then the two normalizers
    float m = -INFINITY;
    for (int i = tid; i < cols; i += blockDim.x) m = fmaxf(m, x[i]);
    m = block_max(m, scratch);
    const float invT = temps.invT[row];
    float s1 = 0.f, s2 = 0.f;
    for (int i = tid; i < cols; i += blockDim.x) {
        float d = x[i] - m;
        s1 += expf(d);
        s2 += expf(d * invT);
    }
    s1 = block_sum(s1, scratch);
    s2 = block_sum(s2, scratch);

    // 2. radix select: the key of the kk-th largest value, and how many keys equal to it are taken
    unsigned int prefix = 0, mask = 0, remaining = (unsigned int) kk;
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int b = tid; b < 256; b += blockDim.x) hist[b] = 0;
        __syncthreads();
        for (int i = tid; i < cols; i += blockDim.x) {
            unsigned int key = order_key(x[i]);
            if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 255u], 1u);
        }
        __syncthreads();
        if (tid < 32) {
            // lane l holds bins [8l, 8l + 8); count the matching keys in higher bins to find the digit
            unsigned int own = 0;
            for (int j = 0; j < 8; j++) own += hist[tid * 8 + j];
            unsigned int suffix = own;  // keys in lanes >= l
            for (int o = 1; o < 32; o <<= 1) {
                unsigned int v = __shfl_down_sync(0xffffffffu, suffix, o);
                if (tid + o < 32) suffix += v;
            }
            unsigned int above = suffix - own;
            unsigned int ballot = __ballot_sync(0xffffffffu, above < remaining && remaining <= suffix);
            if (tid == __ffs(ballot) - 1) {
                unsigned int rem = remaining - above;
                int b = tid * 8 + 7;
                for (; b > tid * 8; b--) {
                    if (hist[b] >= rem) break;
                    rem -= hist[b];
                }
                shPrefix = prefix | ((unsigned int) b << shift);
                shRemaining = rem;
                shTies = hist[b];
            }
        }
        __syncthreads();
        prefix = shPrefix;
        remaining = shRemaining;
        mask |= 255u << shift;
    }
    const unsigned int threshold = prefix;
    const unsigned int greater = (unsigned int) kk - remaining;
    const unsigned int ties = shTies;  // keys equal to the threshold, of which `remaining` are taken

    // 3. collect the candidates
    if (tid == 0) {
        shGreater = 0;
        shTaken = 0;
    }
    __syncthreads();
    if (ties == remaining) {
        // every key >= threshold is a candidate: any order, the sort below orders them
        for (int i = tid; i < cols; i += blockDim.x) {
            unsigned int key = order_key(x[i]);
            if (key >= threshold) cand[atomicAdd(&shGreater, 1u)] = candidate(key, i);
        }
    } else {
        // more ties than places: the lowest ids win, so walk the row in id order, a block-wide chunk at a time
        const int lane = tid & 31, warp = tid >> 5, warps = blockDim.x >> 5;
        for (int base = 0; base < cols; base += blockDim.x) {
            int i = base + tid;
            unsigned int key = i < cols ? order_key(x[i]) : 0u;
            bool tie = i < cols && key == threshold;
            if (i < cols && key > threshold) cand[atomicAdd(&shGreater, 1u)] = candidate(key, i);
            unsigned int ballot = __ballot_sync(0xffffffffu, tie);
            if (lane == 0) warpTies[warp] = __popc(ballot);
            __syncthreads();
            unsigned int taken = shTaken;
            if (tie) {
                unsigned int rank = taken + __popc(ballot & ((1u << lane) - 1u));
                for (int w = 0; w < warp; w++) rank += warpTies[w];
                if (rank < remaining) cand[greater + rank] = candidate(key, i);
            }
            __syncthreads();
            if (tid == 0) {
                unsigned int chunk = 0;
                for (int w = 0; w < warps; w++) chunk += warpTies[w];
                shTaken = taken + chunk;
                // decided here, where no thread can be adding to shGreater: the next chunk may start doing so as
                // soon as a thread has passed the barrier below
                shDone = shTaken >= remaining && shGreater == greater;
            }
            __syncthreads();
            if (shDone) break;  // uniform
        }
    }
    __syncthreads();

    // 4. bitonic sort of the candidates, padded to a power of two, descending
    int p = 1;
    while (p < kk) p <<= 1;
    for (int j = kk + tid; j < p; j += blockDim.x) cand[j] = 0ull;
    for (int size = 2; size <= p; size <<= 1) {
        for (int stride = size >> 1; stride > 0; stride >>= 1) {
            __syncthreads();
            for (int t = tid; t < p / 2; t += blockDim.x) {
                int i = (t / stride) * 2 * stride + (t % stride);
                int j = i + stride;
                bool descending = (i & size) == 0;
                unsigned long long a = cand[i], b = cand[j];
                if ((a < b) == descending) {
                    cand[i] = b;
                    cand[j] = a;
                }
            }
        }
    }
    __syncthreads();

    // 5. out: ids and their values as stored, and the normalizers
    for (int j = tid; j < kk; j += blockDim.x) {
        int id = (int) ~(unsigned int) (cand[j] & 0xffffffffull);
        outIds[(long long) row * k + j] = id;
        outValues[(long long) row * k + j] = x[id];
    }
    if (tid == 0) {
        outSums[2LL * row] = s1;
        outSums[2LL * row + 1] = s2;
    }
}
