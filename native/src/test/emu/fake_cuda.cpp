// A stand-in for the CUDA driver (libcuda.so.1) that runs the project's kernels on the CPU emulator, so the cuda
// backend's Java code, JCuda included, runs unchanged on a machine without a GPU: device memory is host memory
// (a CUdeviceptr is its address), every launch runs to the end before returning (streams and events are
// bookkeeping), graphs record their launches and replay them, and modules ignore their PTX: functions are looked
// up by name in the table below (a new kernel must be added there: the emulated tests then say "no CUDA kernel
// named ..."), compiled from the same .cu sources. Only the calls the backend makes exist here;
// JCuda binds the others lazily and never reaches them. Loaded by FakeCudaDriver before JCuda (soname
// libcuda.so.1, so JCuda's native library links to it).
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/attention.cu"
#include "../../main/cuda/matmul.cu"
#include "../../main/cuda/repack.cu"
#include "../../main/cuda/sampling.cu"
#include "../../main/cuda/kquant.cu"

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
static const CUresult OK = 0, INVALID_VALUE = 1, NOT_FOUND = 500;

namespace fake {
struct Kernel {
    std::function<void(void**)> call;  // calls the kernel function with the launch's parameters
    std::vector<size_t> sizes;         // bytes of each parameter, to copy them into a graph
};

template <class... A, size_t... I>
static void invoke(void (*f)(A...), void** params, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(params[I])...);
}

template <class... A>
static Kernel kernel(void (*f)(A...)) {
    return Kernel{[f](void** params) { invoke(f, params, std::index_sequence_for<A...>{}); }, {sizeof(A)...}};
}

static std::map<std::string, Kernel>& table() {
    static std::map<std::string, Kernel> t = {
        {"attention_f16_d32", kernel(attention_f16_d32)},
        {"attention_f16_d64", kernel(attention_f16_d64)},
        {"attention_f16_d128", kernel(attention_f16_d128)},
        {"attention_f16_d256", kernel(attention_f16_d256)},
        {"attention_f32_d32", kernel(attention_f32_d32)},
        {"attention_f32_d64", kernel(attention_f32_d64)},
        {"attention_f32_d128", kernel(attention_f32_d128)},
        {"attention_f32_d256", kernel(attention_f32_d256)},
        {"attention_combine", kernel(attention_combine)},
        {"embed", kernel(embed)},
        {"rms_norm", kernel(rms_norm)},
        {"add_rms_norm", kernel(add_rms_norm)},
        {"rope", kernel(rope)},
        {"silu_mul", kernel(silu_mul)},
        {"add", kernel(add)},
        {"scale", kernel(scale)},
        {"softcap", kernel(softcap)},
        {"add_row", kernel(add_row)},
        {"gelu_mul", kernel(gelu_mul)},
        {"store_kv_f16", kernel(store_kv_f16)},
        {"store_kv_f32", kernel(store_kv_f32)},
        {"rope_store_kv_f16", kernel(rope_store_kv_f16)},
        {"rope_store_kv_f32", kernel(rope_store_kv_f32)},
        {"split_columns", kernel(split_columns)},
        {"gather_rows", kernel(gather_rows)},
        {"to_half", kernel(to_half)},
        {"spin_wait", kernel(spin_wait)},
        {"mv_q4_k", kernel(mv_q4_k)},
        {"mv_q6_k", kernel(mv_q6_k)},
        {"mm_f16_n8s", kernel(mm_f16_n8s)},
        {"mm_bf16_n8s", kernel(mm_bf16_n8s)},
        {"mm_reduce", kernel(mm_reduce)},
        {"mm_f16_n1x", kernel(mm_f16_n1x)},
        {"mm_f16_n1", kernel(mm_f16_n1)},
        {"mm_f16_n2", kernel(mm_f16_n2)},
        {"mm_f16_n4", kernel(mm_f16_n4)},
        {"mm_f16_n8", kernel(mm_f16_n8)},
        {"mm_bf16_n1x", kernel(mm_bf16_n1x)},
        {"mm_bf16_n1", kernel(mm_bf16_n1)},
        {"mm_bf16_n2", kernel(mm_bf16_n2)},
        {"mm_bf16_n4", kernel(mm_bf16_n4)},
        {"mm_bf16_n8", kernel(mm_bf16_n8)},
        {"mm_q8_0_n1x", kernel(mm_q8_0_n1x)},
        {"mm_q8_0_n1", kernel(mm_q8_0_n1)},
        {"mm_q8_0_n2", kernel(mm_q8_0_n2)},
        {"mm_q8_0_n4", kernel(mm_q8_0_n4)},
        {"mm_q8_0_n8", kernel(mm_q8_0_n8)},
        {"mm_q4_0_n1x", kernel(mm_q4_0_n1x)},
        {"mm_q4_0_n1", kernel(mm_q4_0_n1)},
        {"mm_q4_0_n2", kernel(mm_q4_0_n2)},
        {"mm_q4_0_n4", kernel(mm_q4_0_n4)},
        {"mm_q4_0_n8", kernel(mm_q4_0_n8)},
        {"mm_f32", kernel(mm_f32)},
        {"repack_u16", kernel(repack_u16)},
        {"repack_q8_0", kernel(repack_q8_0)},
        {"repack_q4_0", kernel(repack_q4_0)},
        {"summarize_logits", kernel(summarize_logits)},
    };
    return t;
}

struct Launch {
    const Kernel* kernel;
    unsigned grid[3], block;
    std::vector<std::vector<uint8_t>> params;
};

static void run(const Kernel& k, const unsigned* grid, unsigned block, void** params) {
    emu::launch3(grid[0], grid[1], grid[2], block, [&] { k.call(params); });
}

static void replay(const Launch& l) {
    std::vector<void*> ptrs;
    for (const auto& p : l.params) ptrs.push_back(const_cast<uint8_t*>(p.data()));
    run(*l.kernel, l.grid, l.block, ptrs.data());
}

typedef std::vector<Launch> Graph;
static void* capturing = nullptr;  // the stream being captured, if any
static Graph* captured = nullptr;
static std::map<void*, size_t> allocations;
static size_t allocated = 0;
static const size_t TOTAL = 8ull << 30;  // the memory cuMemGetInfo reports
static int handles[64];                  // addresses used as opaque handles (streams, modules, events, context)
}  // namespace fake

extern "C" {
CUresult cuInit(unsigned) { return OK; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int* n) { *n = 1; return OK; }
CUresult cuDeviceGet(int* d, int ordinal) { *d = ordinal; return ordinal == 0 ? OK : INVALID_VALUE; }
CUresult cuDeviceGetName(char* name, int len, int) { std::snprintf(name, len, "jserve CPU emulator"); return OK; }
CUresult cuDeviceGetAttribute(int* v, int attribute, int) {
    *v = attribute == 16 ? 132 : 1;  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: an H100's, so splits match it
    return OK;
}
CUresult cuDevicePrimaryCtxRetain(void** ctx, int) { *ctx = &fake::handles[0]; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(int) { return OK; }
CUresult cuCtxSetCurrent(void*) { return OK; }
CUresult cuCtxSynchronize() { return OK; }
CUresult cuStreamCreate(void** s, unsigned) { *s = &fake::handles[1]; return OK; }
CUresult cuStreamDestroy_v2(void*) { return OK; }
CUresult cuStreamSynchronize(void*) { return OK; }
CUresult cuEventCreate(void** e, unsigned) { *e = &fake::handles[2]; return OK; }
CUresult cuEventDestroy_v2(void*) { return OK; }
CUresult cuEventRecord(void*, void*) { return OK; }
CUresult cuEventSynchronize(void*) { return OK; }
CUresult cuEventElapsedTime(float* ms, void*, void*) { *ms = 0.f; return OK; }

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    size_t size = (bytes + 255) / 256 * 256;
    void* m = std::aligned_alloc(256, size ? size : 256);
    if (!m) return 2;  // CUDA_ERROR_OUT_OF_MEMORY
    fake::allocations[m] = size;
    fake::allocated += size;
    *p = (CUdeviceptr) m;
    return OK;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
    auto it = fake::allocations.find((void*) p);
    if (it == fake::allocations.end()) return INVALID_VALUE;
    fake::allocated -= it->second;
    fake::allocations.erase(it);
    std::free((void*) p);
    return OK;
}
CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    *total = fake::TOTAL;
    *free = fake::TOTAL > fake::allocated ? fake::TOTAL - fake::allocated : 0;
    return OK;
}
CUresult cuMemAllocHost_v2(void** p, size_t bytes) {
    *p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    return *p ? OK : 2;
}
CUresult cuMemFreeHost(void* p) { std::free(p); return OK; }
CUresult cuMemsetD32Async(CUdeviceptr p, unsigned value, size_t n, void*) {
    unsigned* u = (unsigned*) p;
    for (size_t i = 0; i < n; i++) u[i] = value;
    return OK;
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void*) {
    std::memcpy((void*) dst, src, n);
    return OK;
}
CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void*) {
    std::memcpy(dst, (const void*) src, n);
    return OK;
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void*) {
    std::memmove((void*) dst, (const void*) src, n);
    return OK;
}

CUresult cuModuleLoadData(void** m, const void*) { *m = &fake::handles[3]; return OK; }
CUresult cuModuleUnload(void*) { return OK; }
CUresult cuModuleGetFunction(void** f, void*, const char* name) {
    auto it = fake::table().find(name);
    if (it == fake::table().end()) return NOT_FOUND;
    *f = &it->second;
    return OK;
}
CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* n, void*, int, size_t) { *n = 4; return OK; }

CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned, void* stream, void** params, void**) {
    if (by != 1 || bz != 1) return INVALID_VALUE;
    const fake::Kernel& k = *static_cast<const fake::Kernel*>(f);
    unsigned grid[3] = {gx, gy, gz};
    if (fake::capturing && stream == fake::capturing) {
        fake::Launch l{&k, {gx, gy, gz}, bx, {}};
        for (size_t i = 0; i < k.sizes.size(); i++) {
            const uint8_t* p = static_cast<const uint8_t*>(params[i]);
            l.params.emplace_back(p, p + k.sizes[i]);
        }
        fake::captured->push_back(std::move(l));
        return OK;
    }
    fake::run(k, grid, bx, params);
    return OK;
}

CUresult cuStreamBeginCapture_v2(void* stream, int) {
    fake::capturing = stream;
    fake::captured = new fake::Graph();
    return OK;
}
CUresult cuStreamEndCapture(void*, void** graph) {
    *graph = fake::captured;
    fake::capturing = nullptr;
    fake::captured = nullptr;
    return OK;
}
CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long) {
    *exec = new fake::Graph(*static_cast<fake::Graph*>(graph));
    return OK;
}
CUresult cuGraphLaunch(void* exec, void*) {
    for (const fake::Launch& l : *static_cast<fake::Graph*>(exec)) fake::replay(l);
    return OK;
}
CUresult cuGraphDestroy(void* graph) { delete static_cast<fake::Graph*>(graph); return OK; }
CUresult cuGraphExecDestroy(void* exec) { delete static_cast<fake::Graph*>(exec); return OK; }
}
