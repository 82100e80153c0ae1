package io.jserve.kernels;

/**
 * Rotary position embedding settings.
 *
 * @param ropeDim     leading dimensions of each head that are rotated ({@code <= headDim}, even)
 * @param freqBase    theta, the base of the frequencies ({@code rope.freq_base}, 10000 by default)
 * @param freqScale   position scale for linear RoPE scaling (1 = none): angles use {@code pos * freqScale}
 * @param neox        NeoX mode (rotate pairs {@code i, i + ropeDim/2}) instead of GGML's normal mode (adjacent
 *                    pairs {@code 2i, 2i + 1})
 */
public record RopeConfig(int ropeDim, float freqBase, float freqScale, boolean neox) {
    public RopeConfig {
        if (ropeDim <= 0 || ropeDim % 2 != 0) {
            throw new IllegalArgumentException("rope dimension must be positive and even, got " + ropeDim);
        }
        if (!(freqBase > 0) || !(freqScale > 0)) {
            throw new IllegalArgumentException("rope freq base and scale must be positive");
        }
    }

    /** The angle step of rotated pair {@code i}: {@code freqScale * freqBase^(-2i/ropeDim)}, as float. */
    public float inverseFrequency(int i) {
        return freqScale * (float) Math.pow(freqBase, -2.0 * i / ropeDim);
    }
}
