// Runs the K-quant kernels on the CPU emulator: elementwise.cu's embed (through weight_at) and kquant.cu's
// mv_q4_k / mv_q6_k, launched as the backend launches them (8 tokens a launch). Usage: kquant embed|matmul IN OUT.
// IN holds int fmt (5 = Q4_K, 6 = Q6_K), rows, cols, tokens, int weightBytes, the weight's GGML bytes, then for
// embed int ids[tokens], for matmul float x[tokens * cols]. OUT receives float out[tokens * cols] (embed) or
// [tokens * rows] (matmul). Little-endian, as written by EmulatedKQuantKernelsTest.
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/kquant.cu"

#include <string>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: kquant embed|matmul IN OUT\n");
        return 2;
    }
    std::string mode = argv[1];
    FILE* in = std::fopen(argv[2], "rb");
    int header[5];
    if (!in || std::fread(header, 4, 5, in) != 5) return 2;
    int fmt = header[0], rows = header[1], cols = header[2], tokens = header[3], weightBytes = header[4];
    std::vector<uint8_t> w(weightBytes);
    if (std::fread(w.data(), 1, weightBytes, in) != (size_t) weightBytes) return 2;
    std::vector<float> out;
    if (mode == "embed") {
        std::vector<int> ids(tokens);
        if (std::fread(ids.data(), 4, tokens, in) != (size_t) tokens) return 2;
        out.resize((size_t) tokens * cols);
        unsigned threads = (unsigned) std::min(1024L, std::max(32L, ((long) cols / 4 + 31) / 32 * 32));
        emu::launch(tokens, threads, [&] { embed(fmt, w.data(), nullptr, cols, ids.data(), out.data(), cols); });
    } else if (mode == "matmul") {
        std::vector<float> x((size_t) tokens * cols);
        if (std::fread(x.data(), 4, x.size(), in) != x.size()) return 2;
        out.resize((size_t) tokens * rows);
        unsigned grid = (unsigned) ((rows + KQ_WARPS - 1) / KQ_WARPS);
        for (int t0 = 0; t0 < tokens; t0 += KQ_TOKENS) {
            int n = std::min(KQ_TOKENS, tokens - t0);
            const float* xs = x.data() + (size_t) t0 * cols;
            float* o = out.data() + (size_t) t0 * rows;
            emu::launch(grid, KQ_WARPS * 32, [&] {
                if (fmt == WF_Q4_K) {
                    mv_q4_k(w.data(), xs, o, rows, cols, n);
                } else {
                    mv_q6_k(w.data(), xs, o, rows, cols, n);
                }
            });
        }
    } else {
        return 2;
    }
    std::fclose(in);
    FILE* o = std::fopen(argv[3], "wb");
    if (!o) return 2;
    std::fwrite(out.data(), 4, out.size(), o);
    std::fclose(o);
    return 0;
}
