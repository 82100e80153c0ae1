// Runs rope and store_kv (elementwise.cu) on the CPU emulator, fused (rope_store_kv) or as the three launches the
// backend makes without fusion (rope on q, rope on k, store_kv). Usage: rope fused|separate IN OUT.
// IN (little-endian, written by EmulatedRopeStoreTest): int tokens, heads, kvHeads, headDim, ropeDim, neox, f16,
// numSlots; float mscale; float invFreq[ropeDim / 2]; int positions[tokens], slots[tokens]; float q[tokens * heads *
// headDim], k[tokens * kvDim], v[tokens * kvDim]. OUT: q and k afterwards, then the K and V pools as floats.
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"

#include <string>

static unsigned threadsFor(int n) {
    return (unsigned) std::min(256, std::max(32, (n + 31) / 32 * 32));
}

template <typename KT>
static void run(bool fused, int tokens, int heads, int kvHeads, int d, int ropeDim, int neox, int numSlots,
                float mscale, std::vector<float>& invFreq, std::vector<int>& positions, std::vector<int>& slots,
                std::vector<float>& q, std::vector<float>& k, std::vector<float>& v, std::vector<float>& pools) {
    int kvDim = kvHeads * d;
    std::vector<KT> kPool((size_t) kvHeads * numSlots * d), vPool(kPool.size());
    if (fused) {
        emu::launch(tokens, threadsFor(std::max(heads * ropeDim / 2, kvDim)), [&] {
            if constexpr (sizeof(KT) == 2) {
                rope_store_kv_f16(q.data(), heads, k.data(), v.data(), kvHeads, d, ropeDim, neox, invFreq.data(),
                                  positions.data(), mscale, kPool.data(), vPool.data(), slots.data(), numSlots);
            } else {
                rope_store_kv_f32(q.data(), heads, k.data(), v.data(), kvHeads, d, ropeDim, neox, invFreq.data(),
                                  positions.data(), mscale, kPool.data(), vPool.data(), slots.data(), numSlots);
            }
        });
    } else {
        emu::launch(tokens, threadsFor(heads * ropeDim / 2), [&] {
            rope(q.data(), heads * d, heads, d, ropeDim, neox, invFreq.data(), positions.data(), mscale);
        });
        emu::launch(tokens, threadsFor(kvHeads * ropeDim / 2), [&] {
            rope(k.data(), kvDim, kvHeads, d, ropeDim, neox, invFreq.data(), positions.data(), mscale);
        });
        emu::launch(tokens, threadsFor(kvDim), [&] {
            if constexpr (sizeof(KT) == 2) {
                store_kv_f16(k.data(), v.data(), kPool.data(), vPool.data(), slots.data(), kvDim, d, numSlots);
            } else {
                store_kv_f32(k.data(), v.data(), kPool.data(), vPool.data(), slots.data(), kvDim, d, numSlots);
            }
        });
    }
    for (const std::vector<KT>* pool : {&kPool, &vPool}) {
        for (const KT& x : *pool) {
            if constexpr (sizeof(KT) == 2) {
                pools.push_back(__half2float(x));
            } else {
                pools.push_back(x);
            }
        }
    }
}

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: rope fused|separate IN OUT\n");
        return 2;
    }
    bool fused = std::string(argv[1]) == "fused";
    FILE* in = std::fopen(argv[2], "rb");
    int h[8];
    float mscale;
    if (!in || std::fread(h, 4, 8, in) != 8 || std::fread(&mscale, 4, 1, in) != 1) return 2;
    int tokens = h[0], heads = h[1], kvHeads = h[2], d = h[3], ropeDim = h[4], neox = h[5], f16 = h[6], slotsN = h[7];
    std::vector<float> invFreq(ropeDim / 2), q((size_t) tokens * heads * d), k((size_t) tokens * kvHeads * d),
        v(k.size()), pools;
    std::vector<int> positions(tokens), slots(tokens);
    bool ok = std::fread(invFreq.data(), 4, invFreq.size(), in) == invFreq.size()
              && std::fread(positions.data(), 4, tokens, in) == (size_t) tokens
              && std::fread(slots.data(), 4, tokens, in) == (size_t) tokens
              && std::fread(q.data(), 4, q.size(), in) == q.size() && std::fread(k.data(), 4, k.size(), in) == k.size()
              && std::fread(v.data(), 4, v.size(), in) == v.size();
    std::fclose(in);
    if (!ok) return 2;
    if (f16) {
        run<__half>(fused, tokens, heads, kvHeads, d, ropeDim, neox, slotsN, mscale, invFreq, positions, slots, q, k, v,
                    pools);
    } else {
        run<float>(fused, tokens, heads, kvHeads, d, ropeDim, neox, slotsN, mscale, invFreq, positions, slots, q, k, v,
                   pools);
    }
    FILE* o = std::fopen(argv[3], "wb");
    if (!o) return 2;
    std::fwrite(q.data(), 4, q.size(), o);
    std::fwrite(k.data(), 4, k.size(), o);
    std::fwrite(pools.data(), 4, pools.size(), o);
    std::fclose(o);
    return 0;
}
