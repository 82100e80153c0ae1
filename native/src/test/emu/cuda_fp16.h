// The emulator's stand-in for CUDA's half type: storage and conversions (round to nearest even) only.
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

inline __half __float2half_rn(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    uint16_t sign = (uint16_t) ((u >> 16) & 0x8000);
    uint32_t abs = u & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or nan
        return __half{(uint16_t) (sign | 0x7c00 | (abs > 0x7f800000u ? 0x200 : 0))};
    }
    if (abs >= 0x477ff000u) {  // rounds to a value past 65504: inf
        return __half{(uint16_t) (sign | 0x7c00)};
    }
    if (abs < 0x38800000u) {  // below the smallest normal half: a subnormal (or zero), in units of 2^-24
        float a;
        std::memcpy(&a, &abs, 4);
        float scaled = a * 16777216.0f;  // exact: a power of two
        uint32_t m = (uint32_t) scaled;
        float rest = scaled - (float) m;
        if (rest > 0.5f || (rest == 0.5f && (m & 1))) m++;
        return __half{(uint16_t) (sign | m)};
    }
    uint32_t exponent = (abs >> 23) - 112, mantissa = abs & 0x7fffffu;
    uint32_t h = (exponent << 10) | (mantissa >> 13);
    uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1))) h++;  // a carry into the exponent is right too
    return __half{(uint16_t) (sign | h)};
}

inline __half __float2half(float f) {
    return __float2half_rn(f);
}

inline unsigned short __half_as_ushort(__half h) {
    return h.bits;
}

inline __half __ushort_as_half(unsigned short bits) {
    return __half{bits};
}

struct __half2 {
    __half x, y;  // x in the low 16 bits, as CUDA's
};

inline __half2 __floats2half2_rn(float a, float b) {
    return __half2{__float2half_rn(a), __float2half_rn(b)};
}

inline __half2 __float2half2_rn(float a) {
    return __floats2half2_rn(a, a);
}

// Half arithmetic: each lane's exact difference rounded to half. The kernels subtract exactly representable small
// integers, for which the float difference is exact too.
inline __half2 __hsub2(__half2 a, __half2 b) {
    return __floats2half2_rn(__half2float(a.x) - __half2float(b.x), __half2float(a.y) - __half2float(b.y));
}
