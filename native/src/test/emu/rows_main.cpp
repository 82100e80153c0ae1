// Runs elementwise.cu's residual-step kernels on the CPU emulator. Usage: rows MODE IN OUT, MODE "fused"
// (add_rms_norm) or "separate" (add, then rms_norm, as the backend launches them). IN holds int rows, cols,
// threads (the backend's rowThreads), float eps, then float x[rows * cols], delta[rows * cols], w[cols] (an F32
// weight); OUT receives x afterwards, then out [rows * cols]. Little-endian, as written by EmulatedRowKernelsTest.
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"

#include <string>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: rows fused|separate IN OUT\n");
        return 2;
    }
    std::string mode = argv[1];
    FILE* in = std::fopen(argv[2], "rb");
    int header[3];
    float eps;
    if (!in || std::fread(header, 4, 3, in) != 3 || std::fread(&eps, 4, 1, in) != 1) return 2;
    int rows = header[0], cols = header[1], threads = header[2];
    size_t n = (size_t) rows * cols;
    std::vector<float> x(n), delta(n), w(cols), out(n);
    if (std::fread(x.data(), 4, n, in) != n || std::fread(delta.data(), 4, n, in) != n
        || std::fread(w.data(), 4, cols, in) != (size_t) cols) return 2;
    std::fclose(in);
    const uint8_t* q = reinterpret_cast<const uint8_t*>(w.data());
    if (mode == "fused") {
        emu::launch(rows, threads, [&] {
            add_rms_norm(x.data(), delta.data(), WF_F32, q, nullptr, cols, eps, out.data(), cols);
        });
    } else if (mode == "separate") {
        unsigned grid = (unsigned) std::min<long long>((n + 255) / 256, 4096);
        emu::launch(grid, 256, [&] { add(x.data(), delta.data(), x.data(), (long long) n); });
        emu::launch(rows, threads, [&] { rms_norm(x.data(), WF_F32, q, nullptr, cols, eps, out.data(), cols); });
    } else {
        return 2;
    }
    FILE* o = std::fopen(argv[3], "wb");
    if (!o) return 2;
    std::fwrite(x.data(), 4, n, o);
    std::fwrite(out.data(), 4, n, o);
    std::fclose(o);
    return 0;
}
