package io.jserve.cuda;

import io.jserve.kernels.Tensor;
import jcuda.driver.CUdeviceptr;

/**
 * A float32 activation matrix in device memory: {@code rows x cols}, row-major. Views ({@link #head},
 * {@link #reshape}) share the allocation, which belongs to the backend's {@link CudaContext}.
 *
 * @param ptr  start of the first row
 * @param rows rows (tokens)
 * @param cols values per row
 */
record DeviceTensor(CUdeviceptr ptr, int rows, int cols) implements Tensor {
    DeviceTensor {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor shape must be positive, got [%d, %d]".formatted(rows, cols));
        }
    }

    long size() {
        return (long) rows * cols;
    }

    @Override
    public Tensor head(int newRows) {
        if (newRows <= 0 || newRows > rows) {
            throw new IllegalArgumentException("head(%d) of a tensor of %d rows".formatted(newRows, rows));
        }
        return new DeviceTensor(ptr, newRows, cols);
    }

    @Override
    public Tensor reshape(int newRows, int newCols) {
        if ((long) newRows * newCols != size()) {
            throw new IllegalArgumentException(
                    "cannot reshape [%d, %d] to [%d, %d]".formatted(rows, cols, newRows, newCols));
        }
        return new DeviceTensor(ptr, newRows, newCols);
    }

    /** The device tensor behind a tensor of this backend. */
    static DeviceTensor of(Tensor t) {
        if (t instanceof DeviceTensor d) {
            return d;
        }
        throw new IllegalArgumentException("not a cuda tensor: " + t);
    }

    /** Two tensors that start at the same device address. */
    static boolean sameMemory(DeviceTensor a, DeviceTensor b) {
        return a.ptr.equals(b.ptr);
    }
}
