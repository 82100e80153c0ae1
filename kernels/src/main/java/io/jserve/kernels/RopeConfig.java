package io.jserve.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rotary position embedding settings, with the per-pair angle steps already worked out so that a backend only
 * reads them: rotated pair {@code i} of a token at position {@code p} turns by {@code p * inverseFrequency(i)},
 * and both rotated values are multiplied by {@code magnitudeScale} (ggml's {@code mscale}: 1 except for YaRN).
 *
 * <p>Plain RoPE has {@code inverseFrequency(i) = freqScale * freqBase^(-2i/ropeDim)}. Scaled variants (linear,
 * Llama-3 frequency factors, YaRN's ramp between interpolation and extrapolation) only change these steps, since
 * each of them is linear in the position; they are computed by the model code that reads the scaling metadata.
 *
 * @param ropeDim            leading dimensions of each head that are rotated ({@code <= headDim}, even)
 * @param freqBase           theta, the base of the frequencies ({@code rope.freq_base}, 10000 by default)
 * @param freqScale          position scale for linear RoPE scaling (1 = none), as recorded for logs
 * @param neox               NeoX mode (rotate pairs {@code i, i + ropeDim/2}) instead of GGML's normal mode
 *                           (adjacent pairs {@code 2i, 2i + 1})
 * @param inverseFrequencies {@code ropeDim / 2} angle steps per position, one per rotated pair (copied)
 * @param magnitudeScale     factor on the cosine and sine (1 = none)
 */
public record RopeConfig(int ropeDim, float freqBase, float freqScale, boolean neox, float[] inverseFrequencies,
                         float magnitudeScale) {
    public RopeConfig {
        if (ropeDim <= 0 || ropeDim % 2 != 0) {
            throw new IllegalArgumentException("rope dimension must be positive and even, got " + ropeDim);
        }
        if (!(freqBase > 0) || !(freqScale > 0)) {
            throw new IllegalArgumentException("rope freq base and scale must be positive");
        }
        Objects.requireNonNull(inverseFrequencies, "inverseFrequencies");
        if (inverseFrequencies.length != ropeDim / 2) {
            throw new IllegalArgumentException("%d inverse frequencies for a rope dimension of %d (need %d)"
                    .formatted(inverseFrequencies.length, ropeDim, ropeDim / 2));
        }
        inverseFrequencies = inverseFrequencies.clone();
        for (float f : inverseFrequencies) {
            if (!(f >= 0) || Float.isInfinite(f)) {
                throw new IllegalArgumentException("rope inverse frequencies must be finite and non-negative: "
                        + Arrays.toString(inverseFrequencies));
            }
        }
        if (!(magnitudeScale > 0) || Float.isInfinite(magnitudeScale)) {
            throw new IllegalArgumentException("rope magnitude scale must be positive and finite, got "
                    + magnitudeScale);
        }
    }

    /** Plain (or linearly scaled) RoPE: {@code inverseFrequency(i) = freqScale * freqBase^(-2i/ropeDim)}. */
    public RopeConfig(int ropeDim, float freqBase, float freqScale, boolean neox) {
        this(ropeDim, freqBase, freqScale, neox, standardFrequencies(ropeDim, freqBase, freqScale), 1f);
    }

    /** {@code freqScale * freqBase^(-2i/ropeDim)} for each pair, as float. */
    public static float[] standardFrequencies(int ropeDim, float freqBase, float freqScale) {
        if (ropeDim <= 0 || ropeDim % 2 != 0) {
            throw new IllegalArgumentException("rope dimension must be positive and even, got " + ropeDim);
        }
        float[] f = new float[ropeDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = freqScale * (float) Math.pow(freqBase, -2.0 * i / ropeDim);
        }
        return f;
    }

    /** The angle step of rotated pair {@code i}. */
    public float inverseFrequency(int i) {
        return inverseFrequencies[i];
    }

    /** A copy of all angle steps. */
    @Override
    public float[] inverseFrequencies() {
        return inverseFrequencies.clone();
    }

    // value semantics over the frequencies (the record default compares the array by identity); backends use
    // a RopeConfig as a cache key for uploaded frequency tables

    @Override
    public boolean equals(Object o) {
        return o instanceof RopeConfig r && r.ropeDim == ropeDim && Float.compare(r.freqBase, freqBase) == 0
                && Float.compare(r.freqScale, freqScale) == 0 && r.neox == neox
                && Arrays.equals(r.inverseFrequencies, inverseFrequencies)
                && Float.compare(r.magnitudeScale, magnitudeScale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ropeDim, freqBase, freqScale, neox, Arrays.hashCode(inverseFrequencies), magnitudeScale);
    }

    @Override
    public String toString() {
        return "RopeConfig[ropeDim=%d, freqBase=%s, freqScale=%s, neox=%s, magnitudeScale=%s]"
                .formatted(ropeDim, freqBase, freqScale, neox, magnitudeScale);
    }
}
