package io.jserve.kernels.cpu;

/**
 * How the CPU backend multiplies Q8_0 weights. The two 8-bit paths give identical bits (the C kernel is an
 * accelerator, not a different formula); the float path gives the reference backend's values.
 */
public enum Q8Path {
    /** Weights decoded to float32 and multiplied with float32 activations: the reference backend's numerics. */
    FLOAT,
    /**
     * Activations rounded to 8 bits per block as llama.cpp does, integer dot products per block (the Vector API
     * kernel); about 1/250 relative rounding of each activation block, as in llama.cpp's CPU backend.
     */
    INT8,
    /**
     * {@link #INT8} through the C AVX-512 VNNI kernel, the default. Where the kernel is not available the backend
     * uses {@link #FLOAT} instead (faster than the Java 8-bit kernel, but the reference's numerics, not these).
     */
    INT8_NATIVE;

    /**
     * The default: the system property {@code jserve.cpu.q8} ({@code float}, {@code int8}, {@code native}) when
     * set, else {@link #INT8_NATIVE}.
     */
    public static Q8Path fromSystemProperty() {
        String v = System.getProperty("jserve.cpu.q8", "native");
        return switch (v) {
            case "float" -> FLOAT;
            case "int8" -> INT8;
            case "native" -> INT8_NATIVE;
            default -> throw new IllegalArgumentException(
                    "jserve.cpu.q8 must be float, int8 or native, got '" + v + "'");
        };
    }
}
