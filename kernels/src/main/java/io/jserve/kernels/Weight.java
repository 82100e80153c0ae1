package io.jserve.kernels;

/**
 * A weight tensor made ready for one backend (the mapped bytes themselves on the CPU, an upload on a GPU).
 * Created by {@link ComputeBackend#load(WeightView)}; shape conventions as in {@link WeightView}.
 */
public interface Weight {
    /** The tensor's name in the model file. */
    String name();

    /** Element type of the stored values. */
    GgmlType type();

    /** Number of rows (outputs of a matrix product). */
    long rows();

    /** Values per row (inputs of a matrix product). */
    long cols();
}
