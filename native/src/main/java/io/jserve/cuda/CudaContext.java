package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
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
 * ({@link #synchronize()}) only where it reads results or reuses a host staging buffer. Kernel launches are
 * queued ({@link LaunchQueue}) and issued at the next stream operation: a queue that repeats the previous one
 * exactly (a decode step at the same batch size) runs as one CUDA graph ({@link GraphCache}). Every other
 * stream operation must go through {@link #stream()}, which issues the queued launches first, so program
 * order holds. A CUDA context is current per thread: {@link #makeCurrent()} binds it to the calling thread when
 * the engine thread differs from the thread that created the backend.
 *
 * <p>{@code -Djserve.cuda.profile=true} times every kernel with events instead ({@link KernelProfile}) and prints
 * the table on close; {@code -Djserve.cuda.graphs=false} launches everything directly.
 */
final class CudaContext implements AutoCloseable {
    /** Queued launches are issued every this many (a graph each once they repeat), so the GPU never waits long. */
    static final int FLUSH_EVERY = 32;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, Integer> functionIds = new HashMap<>();
    private final LaunchQueue queue = new LaunchQueue();
    private final KernelSignatures signatures = KernelSignatures.load();
    private final Set<String> checkedKernels = new HashSet<>();
    private final GraphCache graphs;
    private final KernelProfile profile;
    private final boolean useGraphs;
    private final int multiprocessors;
    private final Map<CUdeviceptr, Long> allocations = new IdentityHashMap<>();
    private Thread boundThread;
    private boolean closed;
    private long epoch;

    CudaContext(int ordinal) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        int[] sms = {0};
        cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        multiprocessors = sms[0];
        graphs = new GraphCache(stream, () -> cuStreamSynchronize(stream));
        profile = Boolean.getBoolean("jserve.cuda.profile") ? new KernelProfile(stream, () -> function("spin_wait"))
                : null;
        useGraphs = profile == null && !"false".equals(System.getProperty("jserve.cuda.graphs"));
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

    /** The stream, after issuing the queued launches: whatever the caller queues on it runs after them. */
    CUstream stream() {
        flush();
        epoch++;
        return stream;
    }

    /**
     * A counter that moves on every launch and every other stream operation: device memory written by the
     * launches before it can only have changed since if the counter has (see MatmulLauncher's f16 reuse).
     */
    long epoch() {
        return epoch;
    }

    /** Streaming multiprocessors of the device (the matrix kernels size their K splits by it). */
    int multiprocessors() {
        return multiprocessors;
    }

    /** Blocks of {@code threads} threads of kernel {@code name} that one SM holds at once (registers, memory). */
    int blocksPerMultiprocessor(String name, int threads) {
        int[] n = {0};
        cuOccupancyMaxActiveBlocksPerMultiprocessor(n, functions.computeIfAbsent(name, this::function), threads, 0);
        return n[0];
    }

    /** The graph cache, for tests and logs. */
    GraphCache graphs() {
        return graphs;
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
        cuMemsetD32Async(p, 0, size / 4, stream());
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
        flush();
        cuStreamSynchronize(stream);
        if (profile != null) {
            profile.collect();
        }
    }

    /** Issues the queued launches (as a graph when they repeat the previous flush, see {@link GraphCache}). */
    void flush() {
        if (queue.size() == 0) {
            return;
        }
        try {
            if (profile != null) {
                profile.launch(queue);
            } else if (useGraphs) {
                graphs.run(queue);
            } else {
                for (LaunchQueue.Launch l : queue.launches()) {
                    jcuda.driver.JCudaDriver.cuLaunchKernel(l.function(), l.gridX(), l.gridY(), l.gridZ(),
                            l.block(), 1, 1, 0, stream, LaunchQueue.parameters(l.args()), null);
                }
            }
        } finally {
            queue.clear();
        }
    }

    /** Queues a kernel that keeps the GPU busy for about {@code micros} microseconds (benchmarks, see spin_wait). */
    void spin(long micros) {
        launch("spin_wait", 1, 1, 32, micros * 2000);  // clock64 ticks at the SM clock, at most about 2 GHz
    }

    /** The per-kernel time table when profiling ({@code -Djserve.cuda.profile=true}), else null. */
    String profileReport() {
        if (profile == null) {
            return null;
        }
        synchronize();
        return profile.report();
    }

    /**
     * Queues kernel {@code name} on the stream; {@code args} are device pointers, Integers, Longs, Floats and
     * int arrays (passed by value, for a kernel parameter that is a struct of ints).
     */
    void launch(String name, int gridX, int gridY, int blockX, Object... args) {
        launch3(name, gridX, gridY, 1, blockX, args);
    }

    /** As {@link #launch(String, int, int, int, Object...)} with a three-dimensional grid. */
    void launch3(String name, int gridX, int gridY, int gridZ, int blockX, Object... args) {
        if (checkedKernels.add(name)) {  // a kernel's first launch: its arguments' kinds are fixed by its one call site
            signatures.check(name, args);
        }
        CUfunction f = functions.computeIfAbsent(name, this::function);
        int id = functionIds.computeIfAbsent(name, n -> functionIds.size());
        queue.add(f, id, name, gridX, gridY, gridZ, blockX, args);
        epoch++;
        if (queue.size() >= FLUSH_EVERY) {
            flush();
        }
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
        if (profile != null) {
            System.err.println("[cuda profile]\n" + profile.report());
            profile.close();
        }
        graphs.close();
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
