// A CUDA-on-CPU emulator for testing kernels on machines without a GPU: each thread of a block is a fiber
// (ucontext to start it, _setjmp/_longjmp to switch), __syncthreads and the warp collectives (__shfl_*_sync, __ballot_sync) are barriers at which fibers
// yield to a scheduler, and __shared__ variables are function statics, shared by every fiber of the block. Blocks
// run one after another. A barrier reached by only part of a block or of a warp (divergent code) is reported and
// aborts, as it would hang or be undefined on a GPU.
//
// Covers what the row kernels use: no tensor-core intrinsics or inline PTX (the matrix kernels cannot run here).
// Fibers switch only at barriers, so atomics are plain read-modify-writes. Between barriers the threads run one
// after another, in id order or, with EMU_SCHEDULE=shuffle:SEED, in a new random order every round, which exposes
// results that depend on which thread gets somewhere first; races inside a stretch between barriers stay hidden.
// This checks a kernel's logic, not its memory ordering.
#pragma once
#include <setjmp.h>
#include <ucontext.h>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cuda_bf16.h"
#include "cuda_fp16.h"

struct float4 {
    float x, y, z, w;
};

struct uint2 {
    unsigned x, y;
};

struct uint4 {
    unsigned x, y, z, w;
};

inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) {
    return uint4{x, y, z, w};
}

// Read-only and L2-only loads are plain loads here.
template <class T>
inline T __ldg(const T* p) {
    return *p;
}

template <class T>
inline T __ldcg(const T* p) {
    return *p;
}

// CUDA's __byte_perm: byte i of the result is byte (s >> 4i) & 7 of the 8 bytes {y, x} (x the low four).
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
    uint64_t both = ((uint64_t) y << 32) | x;
    unsigned r = 0;
    for (int i = 0; i < 4; i++) {
        unsigned sel = (s >> (4 * i)) & 7;
        r |= (unsigned) ((both >> (8 * sel)) & 0xff) << (8 * i);
    }
    return r;
}

struct EmuDim3 {
    unsigned x, y, z;
};
static EmuDim3 threadIdx, blockIdx, blockDim, gridDim;

#define JSERVE_EMULATOR 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __syncthreads() emu::barrier(emu::AT_BLOCK_BARRIER, __LINE__)
#define __syncwarp(...) emu::barrier(emu::AT_WARP_BARRIER, __LINE__)
#define __threadfence()  // fibers switch only at barriers: every write is already seen

namespace emu {
enum State { RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };

struct Fiber {
    ucontext_t context;  // for the first entry only
    jmp_buf jump;        // where it waits (yields switch with _setjmp/_longjmp: no signal-mask system calls)
    bool started;
    State state;
    int line;  // source line of the barrier it waits at
    std::vector<char> stack;
};

static const size_t STACK_BYTES = 64 * 1024;
static std::vector<std::unique_ptr<Fiber>> fibers;  // records never move: a context points into itself
static ucontext_t scheduler;
static jmp_buf schedulerJump;
static unsigned current;
static std::function<void()> body;
static uint64_t warpSlots[32][32];

inline void barrier(State s, int line) {
    Fiber& f = (*fibers[current]);
    f.state = s;
    f.line = line;
    if (_setjmp(f.jump) == 0) _longjmp(schedulerJump, 1);
}

// A fiber runs the kernel body for every block it is given: after a body returns it waits, DONE, until the
// scheduler resumes it for the next block (of this launch or a later one), so contexts are made once per fiber.
inline void entry() {
    for (;;) {
        body();
        Fiber& f = (*fibers[current]);
        f.state = DONE;
        if (_setjmp(f.jump) == 0) _longjmp(schedulerJump, 1);
    }
}

/** Reports a barrier that part of a block or warp missed, with the lanes' states (-1: every warp), and exits 3. */
[[noreturn]] inline void fail(const char* what, int warp = -1) {
    static const char* names[] = {"running", "at __syncthreads", "at a warp collective", "done"};
    std::fprintf(stderr, "emulator: %s (block %u%s)\n", what, blockIdx.x, warp >= 0 ? ", lanes below" : "");
    unsigned from = warp >= 0 ? warp * 32 : 0, to = warp >= 0 ? from + 32 : blockDim.x;
    for (unsigned t = from; t < to; t++) {
        std::fprintf(stderr, "  thread %u: %s, line %d\n", t, names[fibers[t]->state], fibers[t]->line);
    }
    std::exit(3);
}

/** Runs one block of `threads` fibers (a multiple of 32) through `kernel` to the end. */
inline void runBlock(unsigned threads, const std::function<void()>& kernel) {
    if (threads == 0 || threads % 32 != 0 || threads > 1024) fail("block size must be a multiple of 32, at most 1024");
    while (fibers.size() < threads) fibers.push_back(std::make_unique<Fiber>());
    body = kernel;
    for (unsigned t = 0; t < threads; t++) {
        Fiber& f = *fibers[t];
        if (f.stack.empty()) {
            f.stack.resize(STACK_BYTES);
            getcontext(&f.context);
            f.context.uc_stack.ss_sp = f.stack.data();
            f.context.uc_stack.ss_size = f.stack.size();
            f.context.uc_link = nullptr;
            makecontext(&f.context, (void (*)()) entry, 0);
            f.started = false;
        }
        f.state = RUNNABLE;
    }
    static const char* schedule = std::getenv("EMU_SCHEDULE");
    static std::mt19937 random(schedule && std::string(schedule).rfind("shuffle:", 0) == 0
                               ? (unsigned) std::stoul(std::string(schedule).substr(8)) : 0u);
    std::vector<unsigned> order(threads);
    for (unsigned t = 0; t < threads; t++) order[t] = t;
    for (;;) {
        if (schedule) std::shuffle(order.begin(), order.end(), random);
        for (unsigned t : order) {
            if (fibers[t]->state == RUNNABLE) {
                current = t;
                threadIdx = {t, 0, 0};
                if (_setjmp(schedulerJump) == 0) {
                    if (!fibers[t]->started) {
                        fibers[t]->started = true;
                        swapcontext(&scheduler, &fibers[t]->context);
                    } else {
                        _longjmp(fibers[t]->jump, 1);
                    }
                }
            }
        }
        // nothing runnable: release the warps whose every lane is at a warp barrier, else the block at its barrier
        bool allDone = true;
        std::vector<unsigned> ready;
        for (unsigned w = 0; w < threads / 32; w++) {
            unsigned atWarp = 0, done = 0;
            for (unsigned l = 0; l < 32; l++) {
                State s = fibers[w * 32 + l]->state;
                atWarp += s == AT_WARP_BARRIER;
                done += s == DONE;
            }
            if (atWarp == 32) {
                ready.push_back(w);
            } else if (atWarp > 0) {
                fail("a warp collective reached by only some lanes of a warp", w);
            }
            if (done != 32) allDone = false;
        }
        for (unsigned w : ready) {
            for (unsigned l = 0; l < 32; l++) fibers[w * 32 + l]->state = RUNNABLE;
        }
        if (!ready.empty()) continue;
        bool allAtBlock = true;
        for (unsigned t = 0; t < threads; t++) {
            if (fibers[t]->state != AT_BLOCK_BARRIER && fibers[t]->state != DONE) allAtBlock = false;
        }
        if (allDone) return;
        bool anyDone = false;
        for (unsigned t = 0; t < threads; t++) anyDone |= fibers[t]->state == DONE;
        if (!allAtBlock || anyDone) fail("__syncthreads reached by only part of the block");
        for (unsigned t = 0; t < threads; t++) fibers[t]->state = RUNNABLE;
    }
}

/** Runs a kernel over a grid of gx x gy x gz blocks of `threads` threads (x fastest). */
inline void launch3(unsigned gx, unsigned gy, unsigned gz, unsigned threads, const std::function<void()>& kernel) {
    gridDim = {gx, gy, gz};
    blockDim = {threads, 1, 1};
    for (unsigned z = 0; z < gz; z++) {
        for (unsigned y = 0; y < gy; y++) {
            for (unsigned x = 0; x < gx; x++) {
                blockIdx = {x, y, z};
                runBlock(threads, kernel);
            }
        }
    }
}

/** Runs a kernel over a one-dimensional grid. */
inline void launch(unsigned grid, unsigned threads, const std::function<void()>& kernel) {
    launch3(grid, 1, 1, threads, kernel);
}

template <class T>
inline T exchange(T v, unsigned srcLane, bool valid, int line) {
    unsigned lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    warpSlots[warp][lane] = bits;
    barrier(AT_WARP_BARRIER, line);
    T out = v;
    if (valid) std::memcpy(&out, &warpSlots[warp][srcLane], sizeof(T));
    barrier(AT_WARP_BARRIER, line);  // nobody overwrites a slot before every lane has read
    return out;
}
}  // namespace emu

template <class T>
inline T __shfl_down_sync(unsigned, T v, int delta, int line = __builtin_LINE()) {
    unsigned src = (threadIdx.x & 31) + delta;
    return emu::exchange(v, src, src < 32, line);
}

template <class T>
inline T __shfl_up_sync(unsigned, T v, int delta, int line = __builtin_LINE()) {
    int src = (int) (threadIdx.x & 31) - delta;
    return emu::exchange(v, (unsigned) src, src >= 0, line);
}

template <class T>
inline T __shfl_xor_sync(unsigned, T v, int mask, int line = __builtin_LINE()) {
    return emu::exchange(v, (threadIdx.x & 31) ^ (unsigned) mask, true, line);
}

template <class T>
inline T __shfl_sync(unsigned, T v, int srcLane, int line = __builtin_LINE()) {
    return emu::exchange(v, (unsigned) srcLane & 31, true, line);
}

inline unsigned __ballot_sync(unsigned, bool predicate, int line = __builtin_LINE()) {
    unsigned lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    emu::warpSlots[warp][lane] = predicate ? 1 : 0;
    emu::barrier(emu::AT_WARP_BARRIER, line);
    unsigned ballot = 0;
    for (unsigned l = 0; l < 32; l++) ballot |= (unsigned) emu::warpSlots[warp][l] << l;
    emu::barrier(emu::AT_WARP_BARRIER, line);
    return ballot;
}

template <class T>
inline T atomicAdd(T* p, T v) {
    T old = *p;
    *p = old + v;
    return old;
}

// Rounded single operations: plain ones here (g++ contracts nothing into fused multiply-adds without -mfma).
inline float __fmul_rn(float a, float b) {
    return a * b;
}

inline float __fadd_rn(float a, float b) {
    return a + b;
}

inline float __fsub_rn(float a, float b) {
    return a - b;
}

inline int min(int a, int b) {
    return a < b ? a : b;
}

inline int max(int a, int b) {
    return a > b ? a : b;
}

inline unsigned __float_as_uint(float x) {
    unsigned u;
    std::memcpy(&u, &x, 4);
    return u;
}

inline float __uint_as_float(unsigned u) {
    float x;
    std::memcpy(&x, &u, 4);
    return x;
}

/** A cycle counter: the emulator's steps stand in for cycles (spin_wait ends at once). */
inline long long clock64() {
    static long long ticks;
    return ticks += 1 << 20;
}

inline int __ffs(unsigned x) {
    return __builtin_ffs((int) x);
}

inline int __popc(unsigned x) {
    return __builtin_popcount(x);
}

namespace emu {
static uint32_t mmaSlots[32][32][6];

inline float half_bits(uint32_t bits, bool bf16) {
    if (bf16) {
        return __uint_as_float(bits << 16);
    }
    return __half2float(__half{(uint16_t) bits});
}

/**
 * mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}: the warp's 16x16 A (4 registers a lane), 16x8 B (2) and 16x8 C
 * (4 floats) in the PTX ISA's fragment layout (lane = 4 * groupID + threadID_in_group); D = C + A.B, each product
 * exact in float and the 16 added in k order (the tensor cores' order is their own: results agree within rounding).
 */
inline void mma_m16n8k16(bool bf16, float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                         uint32_t b1, int line = __builtin_LINE()) {
    unsigned lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    uint32_t* mine = mmaSlots[warp][lane];
    mine[0] = a0; mine[1] = a1; mine[2] = a2; mine[3] = a3; mine[4] = b0; mine[5] = b1;
    barrier(AT_WARP_BARRIER, line);
    auto element = [&](unsigned l, int reg, int k) {
        uint32_t word = mmaSlots[warp][l][reg];
        return half_bits((k & 1) ? word >> 16 : word & 0xffffu, bf16);
    };
    unsigned g = lane >> 2, t = lane & 3;
    float out[4];
    for (int e = 0; e < 4; e++) {
        unsigned row = g + (e >> 1) * 8, col = 2 * t + (e & 1);
        float sum = 0.f;
        for (int k = 0; k < 16; k++) {
            unsigned part = (k & 7) >> 1;
            float a = element((row & 7) * 4 + part, (row >= 8 ? 1 : 0) + (k >= 8 ? 2 : 0), k);
            float b = element(col * 4 + part, 4 + (k >= 8 ? 1 : 0), k);
            sum += a * b;
        }
        out[e] = d[e] + sum;
    }
    barrier(AT_WARP_BARRIER, line);  // every lane has read the slots
    for (int e = 0; e < 4; e++) d[e] = out[e];
}
}  // namespace emu
