// Runs the tensor-core matrix kernels (matmul.cu, mma emulated by cuda_emu.h) on the CPU emulator: the weight is
// repacked as WeightUploader does (repack.cu), then multiplied as MatmulLauncher.matmul does for F16, BF16, Q8_0
// and Q4_0 (fp32 activations read directly up to 8 tokens when aligned, else staged by to_half; 8, 16, 32 or 64
// tokens a block; splits added by the kernel's last block up to 8 tokens, else by mm_reduce).
// Usage: matmul IN OUT. IN (little-endian, written by EmulatedMatmulTest): int fmt, rows, cols, tokens, kp,
// rowsPad, splits, rowTiles8 (DeviceFormat.rowTilesPerWarp(8)), dataBytes, scaleBytes, rawBytes, smem (1: the
// shared-memory 64-token kernel mm_*_n8s for F16/BF16), partRows, dataOffset, scaleOffset (partRows > 0: multiply
// only the rows of a group part that starts at those byte offsets of the repacked weight, as WeightUploader's
// parts do); the GGML bytes; float x[tokens * cols]. OUT: float out[tokens * rows] (partRows rows for a part).
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/repack.cu"
#include "../../main/cuda/matmul.cu"

#include <string>

typedef void (*MatmulKernel)(const uint8_t*, const __half*, const void*, float*, float*, int*, int, int, int, int);

static MatmulKernel kernel(int fmt, int nt, bool direct, bool smem) {
    if (smem && nt == 8 && fmt == WF_F16) return mm_f16_n8s;
    if (smem && nt == 8 && fmt == WF_BF16) return mm_bf16_n8s;
#define PICK(P)                                                                                 \
    if (direct) return P##_n1x;                                                                 \
    return nt == 1 ? P##_n1 : nt == 2 ? P##_n2 : nt == 4 ? P##_n4 : P##_n8;
    switch (fmt) {
        case WF_F16: PICK(mm_f16)
        case WF_BF16: PICK(mm_bf16)
        case WF_Q8_0: PICK(mm_q8_0)
        default: PICK(mm_q4_0)
    }
#undef PICK
}

static unsigned grid(long long items) {
    return (unsigned) std::min<long long>((items + 255) / 256, 65535);
}

static unsigned blocks(long long n) {
    return (unsigned) std::max<long long>(1, std::min<long long>((n + 255) / 256, 8192));
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: matmul IN OUT\n");
        return 2;
    }
    FILE* in = std::fopen(argv[1], "rb");
    int h[15];
    if (!in || std::fread(h, 4, 15, in) != 15) return 2;
    int fmt = h[0], rows = h[1], cols = h[2], tokens = h[3], kp = h[4], rowsPad = h[5], splits = h[6],
        rowTiles8 = h[7], dataBytes = h[8], scaleBytes = h[9], rawBytes = h[10];
    bool smem = h[11] != 0;
    int partRows = h[12], dataOffset = h[13], scaleOffset = h[14];
    std::vector<uint8_t> raw(rawBytes);
    std::vector<float> x((size_t) tokens * cols);
    if (std::fread(raw.data(), 1, raw.size(), in) != raw.size() || std::fread(x.data(), 4, x.size(), in) != x.size()) {
        return 2;
    }
    std::fclose(in);

    // WeightUploader.uploadStored: zeroed device buffers, then the repack kernel
    std::vector<uint8_t> data(dataBytes + 16), scales(scaleBytes + 16);
    long long pr = rowsPad;
    if (fmt == WF_F16 || fmt == WF_BF16) {
        emu::launch(grid(pr * kp), 256, [&] {
            repack_u16(reinterpret_cast<const uint16_t*>(raw.data()), reinterpret_cast<uint16_t*>(data.data()), rows,
                       cols, kp, rowsPad);
        });
    } else {
        emu::launch(grid(pr * kp / 32), 256, [&] {
            if (fmt == WF_Q8_0) {
                repack_q8_0(raw.data(), data.data(), reinterpret_cast<uint16_t*>(scales.data()), rows, cols, kp, rowsPad);
            } else {
                repack_q4_0(raw.data(), data.data(), reinterpret_cast<uint16_t*>(scales.data()), rows, cols, kp, rowsPad);
            }
        });
    }
    const __half* s = reinterpret_cast<const __half*>(fmt == WF_Q8_0 || fmt == WF_Q4_0 ? scales.data() + scaleOffset
                                                                                      : data.data() + dataOffset);
    const uint8_t* w = data.data() + dataOffset;
    if (partRows > 0) rows = partRows;  // a part: its own rows of the whole's memory

    // MatmulLauncher.matmul
    std::vector<float> out((size_t) tokens * rows);
    bool direct = tokens <= 8 && cols == kp;
    std::vector<uint16_t> half;
    const void* xs = x.data();
    if (!direct) {
        long long n = (long long) tokens * kp;
        half.resize(n);
        emu::launch(blocks(n), 256, [&] { to_half(x.data(), half.data(), cols, kp, fmt == WF_BF16 ? 1 : 0, n); });
        xs = half.data();
    }
    int chunk = splits == 1 ? tokens : std::min(tokens, 256);
    std::vector<float> partial(splits == 1 ? 1 : (size_t) splits * chunk * rows);
    int rowBlocks = (rows + 63) / 64;
    std::vector<int> tickets(rowBlocks + 1);
    for (int t0 = 0; t0 < tokens; t0 += chunk) {
        int n = std::min(chunk, tokens - t0);
        int nt = n <= 8 ? 1 : n <= 16 ? 2 : n <= 32 ? 4 : 8;
        int tokenTiles = (n + 8 * nt - 1) / (8 * nt);
        int blockRows = 64 * (nt == 8 ? rowTiles8 : 1);
        int gridRows = (rows + blockRows - 1) / blockRows;
        const uint8_t* xOff = reinterpret_cast<const uint8_t*>(xs) + (size_t) t0 * kp * (direct ? 4 : 2);
        float* dst = out.data() + (size_t) t0 * rows;
        float* part = splits == 1 ? dst : partial.data();
        int* ticket = splits > 1 && nt == 1 ? tickets.data() : reinterpret_cast<int*>(part);
        MatmulKernel k = kernel(fmt, nt, direct, smem);
        emu::launch3(tokenTiles, gridRows, splits, 128, [&] {
            k(w, s, xOff, dst, part, ticket, rows, kp, n, splits);
        });
        if (splits > 1 && nt > 1) {
            long long outputs = (long long) n * rows;
            emu::launch(blocks(outputs), 256, [&] { mm_reduce(part, dst, outputs, splits); });
        }
    }
    FILE* o = std::fopen(argv[2], "wb");
    if (!o) return 2;
    std::fwrite(out.data(), 4, out.size(), o);
    std::fclose(o);
    return 0;
}
