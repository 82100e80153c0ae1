// Runs store_kv (elementwise.cu) and paged attention (attention.cu) on the CPU emulator over a run of steps that
// share one layer's KV pool, launched as AttentionLauncher launches them. Usage: attention IN OUT.
// IN (little-endian, written by EmulatedAttentionTest): int f16, heads, kvHeads, headDim, blockSize, numSlots,
// steps; float scale, softcap; int window; then per step: int tokens, splits, tableStride, and the seven step
// arrays of DeviceStepInputs (tokenIds, positions, tokenSeq, queryStarts, contextLens, slotMapping, tables), each
// an int length and its ints; then float k[tokens * kvDim], v[tokens * kvDim], q[tokens * heads * headDim].
// OUT: every step's attention output, one after another.
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/attention.cu"

#include <string>

static int readInt(FILE* in) {
    int v;
    if (std::fread(&v, 4, 1, in) != 1) std::exit(2);
    return v;
}

static float readFloat(FILE* in) {
    float v;
    if (std::fread(&v, 4, 1, in) != 1) std::exit(2);
    return v;
}

static std::vector<int> readInts(FILE* in) {
    std::vector<int> v(readInt(in));
    if (!v.empty() && std::fread(v.data(), 4, v.size(), in) != v.size()) std::exit(2);
    return v;
}

static std::vector<float> readFloats(FILE* in, size_t n) {
    std::vector<float> v(n);
    if (n && std::fread(v.data(), 4, n, in) != n) std::exit(2);
    return v;
}

template <typename KT>
static void step(FILE* in, std::vector<float>& outAll, std::vector<KT>& kPool, std::vector<KT>& vPool, int heads,
                 int kvHeads, int d, int blockSize, int numSlots, float scale, float softcap, int window) {
    int tokens = readInt(in), splits = readInt(in), tableStride = readInt(in);
    std::vector<int> ids = readInts(in), positions = readInts(in), tokenSeq = readInts(in),
                     queryStarts = readInts(in), contextLens = readInts(in), slots = readInts(in),
                     tables = readInts(in);
    int kvDim = kvHeads * d, qDim = heads * d;
    std::vector<float> k = readFloats(in, (size_t) tokens * kvDim), v = readFloats(in, (size_t) tokens * kvDim),
                       q = readFloats(in, (size_t) tokens * qDim), out((size_t) tokens * qDim);
    unsigned storeThreads = (unsigned) std::min(256, std::max(32, (kvDim + 31) / 32 * 32));
    emu::launch(tokens, storeThreads, [&] {
        if constexpr (sizeof(KT) == 2) {
            store_kv_f16(k.data(), v.data(), kPool.data(), vPool.data(), slots.data(), kvDim, d, numSlots);
        } else {
            store_kv_f32(k.data(), v.data(), kPool.data(), vPool.data(), slots.data(), kvDim, d, numSlots);
        }
    });
    int groups = heads / kvHeads;
    unsigned gridX = (unsigned) (kvHeads * ((groups + AT_GROUP - 1) / AT_GROUP));
    int chunk = std::min(tokens, 256);
    std::vector<float> part((size_t) chunk * heads * AT_MAX_SPLITS * (d + 2));
    size_t entries = (size_t) chunk * heads * AT_MAX_SPLITS;
    float* partM = part.data();
    float* partL = part.data() + entries;
    float* partAcc = part.data() + 2 * entries;
    for (int t0 = 0; t0 < tokens; t0 += chunk) {
        int n = std::min(chunk, tokens - t0);
        emu::launch3(gridX, n, splits, AT_WARPS * 32, [&] {
#define RUN(NAME) NAME(q.data(), out.data(), partM, partL, partAcc, kPool.data(), vPool.data(), tokenSeq.data(), \
                       queryStarts.data(), contextLens.data(), tables.data(), tableStride, blockSize, heads, kvHeads, d, \
                       scale, t0, numSlots, softcap, window)
            if constexpr (sizeof(KT) == 2) {
                if (d <= 32) RUN(attention_f16_d32); else if (d <= 64) RUN(attention_f16_d64);
                else if (d <= 128) RUN(attention_f16_d128); else RUN(attention_f16_d256);
            } else {
                if (d <= 32) RUN(attention_f32_d32); else if (d <= 64) RUN(attention_f32_d64);
                else if (d <= 128) RUN(attention_f32_d128); else RUN(attention_f32_d256);
            }
#undef RUN
        });
        if (splits > 1) {
            unsigned threads = (unsigned) std::min(128, std::max(32, std::min(256, (d + 31) / 32 * 32)));
            emu::launch3(heads, n, 1, threads, [&] {
                attention_combine(out.data(), partM, partL, partAcc, tokenSeq.data(), queryStarts.data(),
                                  contextLens.data(), heads, d, t0, window);
            });
        }
    }
    outAll.insert(outAll.end(), out.begin(), out.end());
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: attention IN OUT\n");
        return 2;
    }
    FILE* in = std::fopen(argv[1], "rb");
    if (!in) return 2;
    int f16 = readInt(in), heads = readInt(in), kvHeads = readInt(in), d = readInt(in), blockSize = readInt(in),
        numSlots = readInt(in), steps = readInt(in);
    float scale = readFloat(in), softcap = readFloat(in);
    int window = readInt(in);
    std::vector<float> out;
    size_t poolValues = (size_t) kvHeads * numSlots * d;
    if (f16) {
        std::vector<__half> kPool(poolValues), vPool(poolValues);
        for (int s = 0; s < steps; s++) step(in, out, kPool, vPool, heads, kvHeads, d, blockSize, numSlots, scale, softcap, window);
    } else {
        std::vector<float> kPool(poolValues), vPool(poolValues);
        for (int s = 0; s < steps; s++) step(in, out, kPool, vPool, heads, kvHeads, d, blockSize, numSlots, scale, softcap, window);
    }
    std::fclose(in);
    FILE* o = std::fopen(argv[2], "wb");
    if (!o) return 2;
    std::fwrite(out.data(), 4, out.size(), o);
    std::fclose(o);
    return 0;
}
