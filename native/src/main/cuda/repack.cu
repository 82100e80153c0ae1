// Load-time kernels: GGML's on-disk bytes (uploaded as they are) to the device layouts of common.cuh.
// Each thread writes whole output units, including the zero padding, so no memset is needed.
#include "common.cuh"

// F16 and BF16: copy 16-bit values into rows of kp values, zero the padding rows and columns.
extern "C" __global__ void repack_u16(const uint16_t* __restrict__ raw, uint16_t* __restrict__ dst,
                                      int rows, int cols, int kp, int rowsPad) {
    long long total = (long long) rowsPad * kp;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long r = i / kp;
        int k = (int) (i - r * kp);
        dst[tiled_offset(r, 2LL * k, 2LL * kp) >> 1] = (r < rows && k < cols) ? raw[r * cols + k] : (uint16_t) 0;
    }
}

// Q8_0 (34-byte blocks: f16 d, 32 int8): one thread per (row, block) of the padded output.
extern "C" __global__ void repack_q8_0(const uint8_t* __restrict__ raw, uint8_t* __restrict__ qs,
                                       uint16_t* __restrict__ scales, int rows, int cols, int kp, int rowsPad) {
    int nb = kp >> 5, nbRaw = cols >> 5;
    long long total = (long long) rowsPad * nb;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long r = i / nb;
        int b = (int) (i - r * nb);
        bool valid = r < rows && b < nbRaw;
        const uint8_t* src = raw + (r * nbRaw + b) * 34;
        scales[i] = valid ? (uint16_t) (src[0] | (src[1] << 8)) : (uint16_t) 0;
        for (int j = 0; j < 32; j++) {
            qs[tiled_offset(r, q8_offset(b * 32 + j), kp)] = valid ? src[2 + j] : (uint8_t) 0;
        }
    }
}

// Q4_0 (18-byte blocks: f16 d, 16 bytes; byte j holds value j in its low nibble and value j+16 in its high one).
extern "C" __global__ void repack_q4_0(const uint8_t* __restrict__ raw, uint8_t* __restrict__ qs,
                                       uint16_t* __restrict__ scales, int rows, int cols, int kp, int rowsPad) {
    int nb = kp >> 5, nbRaw = cols >> 5;
    long long total = (long long) rowsPad * nb;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total;
         i += (long long) gridDim.x * blockDim.x) {
        long long r = i / nb;
        int b = (int) (i - r * nb);
        bool valid = r < rows && b < nbRaw;
        const uint8_t* src = raw + (r * nbRaw + b) * 18;
        scales[i] = valid ? (uint16_t) (src[0] | (src[1] << 8)) : (uint16_t) 0;
        for (int c = 0; c < 4; c++) {  // the four 8-value groups of the block, one word each
            uint32_t w = 0;
            for (int j = 0; j < 8; j++) {
                int v = c * 8 + j;
                uint32_t n = valid ? ((v < 16 ? src[2 + v] : src[2 + v - 16] >> 4) & 15u) : 8u;
                w |= n << q4_shift(j);
            }
            *reinterpret_cast<uint32_t*>(qs + tiled_offset(r, q4_word_offset(b * 32 + c * 8), kp >> 1)) = w;
        }
    }
}
