// The emulator's stand-in for CUDA's bfloat16 type: storage and conversions (round to nearest even) only.
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

inline __nv_bfloat16 __float2bfloat16_rn(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return __nv_bfloat16{(uint16_t) ((u >> 16) | 0x40)};  // quiet nan
    u += 0x7fffu + ((u >> 16) & 1);
    return __nv_bfloat16{(uint16_t) (u >> 16)};
}

inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 b) {
    return b.bits;
}

struct __nv_bfloat162 {
    __nv_bfloat16 x, y;  // x in the low 16 bits, as CUDA's
};

inline __nv_bfloat162 __floats2bfloat162_rn(float a, float b) {
    return __nv_bfloat162{__float2bfloat16_rn(a), __float2bfloat16_rn(b)};
}
