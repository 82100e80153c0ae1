package io.jserve.cuda;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The numeric device address of a JCuda {@link CUdeviceptr} (its base plus byte offset). JCuda keeps both
 * fields private and its {@code equals} ignores the offset, so the launch queue reads them through var handles
 * to compare launches exactly (see {@link LaunchQueue}).
 */
final class DeviceAddress {
    private static final VarHandle NATIVE_POINTER;
    private static final VarHandle BYTE_OFFSET;

    static {
        try {
            NATIVE_POINTER = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup())
                    .findVarHandle(NativePointerObject.class, "nativePointer", long.class);
            BYTE_OFFSET = MethodHandles.privateLookupIn(Pointer.class, MethodHandles.lookup())
                    .findVarHandle(Pointer.class, "byteOffset", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DeviceAddress() {
    }

    static long of(CUdeviceptr p) {
        return (long) NATIVE_POINTER.get((NativePointerObject) p) + (long) BYTE_OFFSET.get((Pointer) p);
    }
}
