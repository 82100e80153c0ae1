package io.jserve.cuda;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Weight;
import jcuda.driver.CUdeviceptr;

/**
 * A weight uploaded to the device in its {@link DeviceFormat} layout.
 *
 * @param name       the tensor's name in the model file
 * @param type       the GGML type it was loaded from
 * @param rows       logical rows
 * @param cols       logical values per row
 * @param format     device layout
 * @param paddedCols values per stored row ({@code kp} in the kernels)
 * @param data       the values or quants
 * @param scales     per-block f16 scales of Q8_0 and Q4_0; {@code data} for other formats (never read)
 */
record DeviceWeight(String name, GgmlType type, long rows, long cols, DeviceFormat format, int paddedCols,
                    CUdeviceptr data, CUdeviceptr scales) implements Weight {

    static DeviceWeight of(Weight w) {
        if (w instanceof DeviceWeight d) {
            return d;
        }
        throw new IllegalArgumentException("not a cuda weight: " + w.name());
    }
}
