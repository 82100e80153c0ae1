package io.jserve.kernels;

/**
 * Scalar element-wise functions whose exact float behaviour is fixed by llama.cpp's CPU backend, shared by every
 * host implementation (and by the host-side defaults of {@link ComputeBackend}) so that they agree bit for bit.
 */
public final class Activations {
    private static final float GELU_COEF_A = 0.044715f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;

    /** ggml's {@code ggml_table_gelu_f16}: fp16 result of the tanh GELU for every fp16 input bit pattern. */
    private static final short[] GELU_F16 = new short[1 << 16];

    static {
        for (int h = 0; h < GELU_F16.length; h++) {
            GELU_F16[h] = Float.floatToFloat16(geluTanh(Float.float16ToFloat((short) h)));
        }
    }

    private Activations() {
    }

    /** The tanh approximation of GELU in float: {@code 0.5x(1 + tanh(sqrt(2/pi) x (1 + 0.044715 x^2)))}. */
    public static float geluTanh(float x) {
        return 0.5f * x * (1.0f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
    }

    /**
     * GELU as ggml computes it on the CPU for float32 ({@code GGML_GELU_FP16}): 0 for {@code x <= -10}, {@code x}
     * for {@code x >= 10}, otherwise the input rounded to fp16 looked up in an fp16 table of {@link #geluTanh}.
     * llama.cpp's numbers for Gemma are reproduced within 1e-3 only with this rounding.
     */
    public static float gelu(float x) {
        if (x <= -10.0f) {
            return 0.0f;
        }
        if (x >= 10.0f) {
            return x;
        }
        return Float.float16ToFloat(GELU_F16[Float.floatToFloat16(x) & 0xFFFF]);
    }

    /** Soft-capping as llama.cpp builds it (scale by {@code 1/cap}, tanh, scale by {@code cap}). */
    public static float softcap(float x, float cap) {
        return (float) Math.tanh(x * (1.0f / cap)) * cap;
    }
}
