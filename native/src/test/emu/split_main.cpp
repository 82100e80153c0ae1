// Runs elementwise.cu's split_columns on the CPU emulator. Usage: split IN OUT. IN (little-endian, written by
// EmulatedSplitColumnsTest): int tokens, c0, c1, c2, then float src[tokens * (c0 + c1 + c2)]. OUT: the three
// outputs one after another.
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: split IN OUT\n");
        return 2;
    }
    FILE* in = std::fopen(argv[1], "rb");
    int h[4];
    if (!in || std::fread(h, 4, 4, in) != 4) return 2;
    int tokens = h[0], c0 = h[1], c1 = h[2], c2 = h[3];
    std::vector<float> src((size_t) tokens * (c0 + c1 + c2));
    if (std::fread(src.data(), 4, src.size(), in) != src.size()) return 2;
    std::fclose(in);
    std::vector<float> d0((size_t) tokens * c0), d1((size_t) tokens * c1), d2((size_t) tokens * c2 + 1);
    emu::launch(tokens, 256, [&] { split_columns(src.data(), d0.data(), c0, d1.data(), c1, d2.data(), c2); });
    FILE* o = std::fopen(argv[2], "wb");
    if (!o) return 2;
    std::fwrite(d0.data(), 4, d0.size(), o);
    std::fwrite(d1.data(), 4, d1.size(), o);
    std::fwrite(d2.data(), 4, (size_t) tokens * c2, o);
    std::fclose(o);
    return 0;
}
