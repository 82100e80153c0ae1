// The emulator's stand-in for CUDA's half type: storage and conversion to float only.
#pragma once
#include <cstdint>
#include <cstring>

struct __half {
    uint16_t bits;
};

inline float __half2float(__half h) {
    uint32_t sign = (uint32_t) (h.bits >> 15) << 31, exponent = (h.bits >> 10) & 31, mantissa = h.bits & 1023;
    uint32_t u;
    if (exponent == 31) {
        u = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        u = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        u = sign;
    } else {  // subnormal: normalize
        int e = -1;
        do {
            e++;
            mantissa <<= 1;
        } while ((mantissa & 1024) == 0);
        u = sign | ((uint32_t) (112 - e) << 23) | ((mantissa & 1023) << 13);
    }
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
