// Runs sampling.cu's summarize_logits on the CPU emulator, launched as SummaryLauncher launches it (rows in
// launches of at most 255, temperatures by value). Usage: summarize IN OUT, where IN holds int rows, cols, k,
// then float invT[rows], then float logits[rows * cols]; OUT receives int ids[rows * k], float values[rows * k],
// float sums[rows * 2]. All little-endian, as written by EmulatedSummaryKernelTest.
#include "cuda_emu.h"
#include "../../main/cuda/sampling.cu"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: summarize IN OUT\n");
        return 2;
    }
    FILE* in = std::fopen(argv[1], "rb");
    int header[3];
    if (!in || std::fread(header, 4, 3, in) != 3) return 2;
    int rows = header[0], cols = header[1], k = header[2];
    std::vector<float> invT(rows), logits((size_t) rows * cols);
    if (std::fread(invT.data(), 4, rows, in) != (size_t) rows) return 2;
    if (std::fread(logits.data(), 4, logits.size(), in) != logits.size()) return 2;
    std::fclose(in);
    std::vector<int> ids((size_t) rows * k, -1);
    std::vector<float> values((size_t) rows * k), sums((size_t) rows * 2);
    for (int at = 0; at < rows; at += SUMMARY_MAX_ROWS) {
        int n = rows - at < SUMMARY_MAX_ROWS ? rows - at : SUMMARY_MAX_ROWS;
        TemperatureList temps{};
        temps.n = n;
        for (int i = 0; i < n; i++) temps.invT[i] = invT[at + i];
        const float* x = logits.data() + (size_t) at * cols;
        int* outIds = ids.data() + (size_t) at * k;
        float* outValues = values.data() + (size_t) at * k;
        float* outSums = sums.data() + (size_t) at * 2;
        emu::launch(n, SUMMARY_THREADS, [&] { summarize_logits(x, cols, k, temps, outIds, outValues, outSums); });
    }
    FILE* out = std::fopen(argv[2], "wb");
    if (!out) return 2;
    std::fwrite(ids.data(), 4, ids.size(), out);
    std::fwrite(values.data(), 4, values.size(), out);
    std::fwrite(sums.data(), 4, sums.size(), out);
    std::fclose(out);
    return 0;
}
