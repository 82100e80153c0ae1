// The emulator's stand-in for CUDA's bfloat16 type: storage and conversion to float only.
#pragma once
#include <cstdint>
#include <cstring>

struct __nv_bfloat16 {
    uint16_t bits;
};

inline float __bfloat162float(__nv_bfloat16 b) {
    uint32_t u = (uint32_t) b.bits << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
