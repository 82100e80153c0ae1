package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * One device's primary context, the single stream every operation is queued on, the loaded kernel modules, and
 * every device allocation (freed together on {@link #close()}).
 *
 * <p>All work goes to one stream in program order, so kernels need no events between them; the host waits
 * ({@link #synchronize()}) only where it reads results or reuses a host staging buffer. A CUDA context is
 * current per thread: {@link #makeCurrent()} binds it to the calling thread when the engine thread differs from
 * the thread that created the backend.
 */
final class CudaContext implements AutoCloseable {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<CUdeviceptr, Long> allocations = new IdentityHashMap<>();
    private Thread boundThread;
    private boolean closed;

    CudaContext(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        for (String name : KernelModules.NAMES) {
            CUmodule module = new CUmodule();
            cuModuleLoadData(module, KernelModules.load(name));  // the driver JIT-compiles the PTX for this device
            modules.add(module);
        }
    }

    /** Binds the context to the calling thread if another thread used it last. */
    void makeCurrent() {
        Thread t = Thread.currentThread();
        if (t != boundThread) {
            cuCtxSetCurrent(context);
            boundThread = t;
        }
    }

    CUstream stream() {
        return stream;
    }

    CUdevice device() {
        return device;
    }

    /** Device memory of {@code bytes} bytes, zero-filled (in stream order), freed on close. */
    CUdeviceptr allocate(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        long size = Math.max(4, (bytes + 3) & ~3L);
        cuMemAlloc(p, size);
        allocations.put(p, size);
        cuMemsetD32Async(p, 0, size / 4, stream);
        return p;
    }

    /** Frees one allocation after the work queued so far has finished with it. */
    void free(CUdeviceptr p) {
        if (allocations.remove(p) != null) {
            synchronize();
            cuMemFree(p);
        }
    }

    /** Bytes currently allocated through this context. */
    long allocatedBytes() {
        return allocations.values().stream().mapToLong(Long::longValue).sum();
    }

    void synchronize() {
        cuStreamSynchronize(stream);
    }

    /** Queues kernel {@code name} on the stream; {@code args} are device pointers, Integers, Longs and Floats. */
    void launch(String name, int gridX, int gridY, int blockX, Object... args) {
        CUfunction f = functions.computeIfAbsent(name, this::function);
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i]);
            };
        }
        cuLaunchKernel(f, gridX, gridY, 1, blockX, 1, 1, 0, stream, Pointer.to(params), null);
    }

    private CUfunction function(String name) {
        for (CUmodule m : modules) {
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, m, name);
                return f;
            } catch (jcuda.CudaException e) {
                // not in this module: try the next one
            }
        }
        throw new IllegalArgumentException("no CUDA kernel named " + name);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        makeCurrent();
        synchronize();
        for (CUdeviceptr p : allocations.keySet()) {
            cuMemFree(p);
        }
        allocations.clear();
        for (CUmodule m : modules) {
            cuModuleUnload(m);
        }
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }
}
