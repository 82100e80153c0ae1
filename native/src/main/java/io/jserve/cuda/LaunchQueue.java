package io.jserve.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

/**
 * The kernel launches queued since the last flush, and their exact description as a {@code long[]} key:
 * function, grid, block and every argument's value (device pointers by address). Two queues with equal keys
 * launch the same kernels with the same parameters, so a CUDA graph captured from one replays the other exactly
 * (see {@link GraphCache}). Kernel parameters are only materialised when the launches are really issued.
 */
final class LaunchQueue {
    /** One queued launch: the function, its index (for the key and the profile) and its arguments. */
    record Launch(CUfunction function, String name, int gridX, int gridY, int gridZ, int block, Object[] args) {
    }

    private final List<Launch> launches = new ArrayList<>();
    private long[] key = new long[4096];
    private int keyLength;

    void add(CUfunction f, int functionId, String name, int gx, int gy, int gz, int block, Object[] args) {
        launches.add(new Launch(f, name, gx, gy, gz, block, args));
        append(functionId);
        append(((long) gx << 32) | gy);
        append(((long) gz << 32) | block);
        for (Object a : args) {
            switch (a) {
                case CUdeviceptr p -> append(DeviceAddress.of(p));
                case Integer v -> append(v);
                case Long v -> append(v);
                case Float v -> append(Float.floatToRawIntBits(v));
                case int[] v -> {
                    append(v.length);
                    for (int x : v) {
                        append(x);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported kernel argument " + a);
            }
        }
    }

    private void append(long v) {
        if (keyLength == key.length) {
            key = Arrays.copyOf(key, key.length * 2);
        }
        key[keyLength++] = v;
    }

    int size() {
        return launches.size();
    }

    List<Launch> launches() {
        return launches;
    }

    /** A copy of the key of the queued launches. */
    long[] key() {
        return Arrays.copyOf(key, keyLength);
    }

    void clear() {
        launches.clear();
        keyLength = 0;
    }

    /** The {@code cuLaunchKernel} parameter array of a launch's arguments (an int[] is passed by value). */
    static Pointer parameters(Object[] args) {
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case int[] v -> Pointer.to(v);
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i]);
            };
        }
        return Pointer.to(params);
    }
}
