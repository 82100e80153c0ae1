package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a model stretches RoPE past its training context, read from {@code rope.scaling.*} metadata and the
 * {@code rope_freqs.weight} tensor, and turned into per-pair angle steps for {@link RopeConfig} exactly as ggml's
 * {@code rope_yarn} forms its angles: for pair {@code i},
 * {@code extrap = base^(-2i/d) / factor_i}, {@code interp = freqScale * extrap}, and with YaRN
 * {@code theta = interp (1 - mix_i) + extrap mix_i} where {@code mix_i} ramps from 1 (high-frequency pairs, kept)
 * to 0 (low-frequency pairs, interpolated) between the correction dimensions for {@code betaFast}/{@code betaSlow}.
 * Every term is linear in the position, so the step per position is all a backend needs.
 *
 * @param type            NONE, LINEAR, YARN or LLAMA3
 * @param factor          context extension factor ({@code rope.scaling.factor}; 1 for none)
 * @param originalContext training context before the extension ({@code rope.scaling.original_context_length})
 * @param attnFactor      YaRN magnitude factor ({@code rope.scaling.attn_factor}, default 1)
 * @param betaFast        YaRN high-frequency correction (default 32)
 * @param betaSlow        YaRN low-frequency correction (default 1)
 * @param lowFreqFactor   Llama-3 low-frequency factor (default 1)
 * @param highFreqFactor  Llama-3 high-frequency factor (default 4)
 * @param freqFactors     per-pair divisors of the frequencies ({@code rope_freqs.weight}, as Llama-3.1/3.2 files
 *                        carry them, or Phi-3's {@code rope_factors_short.weight}), or null
 */
public record RopeScaling(Type type, float factor, int originalContext, float attnFactor, float betaFast,
                          float betaSlow, float lowFreqFactor, float highFreqFactor, float[] freqFactors) {

    /** Scaling methods. */
    public enum Type { NONE, LINEAR, YARN, LLAMA3 }

    /** No scaling. */
    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0, 1f, 32f, 1f, 1f, 4f, null);

    public RopeScaling {
        if (type == null) {
            throw new IllegalArgumentException("rope scaling type must be given");
        }
        if (!(factor > 0) || !(attnFactor > 0) || Float.isInfinite(factor)) {
            throw new IllegalArgumentException("rope scaling factor %s and attn factor %s must be positive"
                    .formatted(factor, attnFactor));
        }
        if (type != Type.NONE && type != Type.LINEAR && originalContext <= 0) {
            throw new IllegalArgumentException("rope scaling " + type + " needs rope.scaling.original_context_length");
        }
        if (type == Type.LLAMA3 && !(highFreqFactor > lowFreqFactor)) {
            throw new IllegalArgumentException("llama3 rope scaling needs high_freq_factor > low_freq_factor");
        }
        freqFactors = freqFactors == null ? null : freqFactors.clone();
    }

    /** Reads the scaling of {@code gguf}'s model; unknown scaling types fail with their name. */
    static RopeScaling from(GgufFile gguf, String arch, int contextLength) {
        String p = arch + ".rope.scaling.";
        // Llama-3.1/3.2 carry rope_freqs; Phi-3 long-context files carry long and short factors, of which llama.cpp
        // takes the short ones while the context stays within the original one (the long ones are not used here)
        float[] factors = gguf.tensor("rope_freqs.weight").or(() -> gguf.tensor("rope_factors_short.weight"))
                .map(t -> dequantize(gguf.weight(t.name()))).orElse(null);
        float factor = gguf.float32(p + "factor")
                .orElseGet(() -> gguf.float32(arch + ".rope.scale_linear").orElse(1f));
        String name = gguf.string(p + "type").orElse(factor != 1f ? "linear" : "none").toLowerCase(Locale.ROOT);
        Type type = switch (name) {
            case "none" -> Type.NONE;
            case "linear" -> Type.LINEAR;
            case "yarn" -> Type.YARN;
            case "llama3" -> Type.LLAMA3;
            default -> throw new IllegalArgumentException(gguf.path() + ": unsupported rope scaling type '" + name
                    + "' (supported: none, linear, yarn, llama3)");
        };
        int original = Math.toIntExact(gguf.integer(p + "original_context_length").orElse(contextLength));
        return new RopeScaling(type, type == Type.NONE ? 1f : factor, original,
                gguf.float32(p + "attn_factor").orElse(1f), gguf.float32(p + "yarn_beta_fast").orElse(32f),
                gguf.float32(p + "yarn_beta_slow").orElse(1f), gguf.float32(p + "low_freq_factor").orElse(1f),
                gguf.float32(p + "high_freq_factor").orElse(4f), factors);
    }

    private static float[] dequantize(WeightView v) {
        return WeightFormat.of(v.type()).dequantize(v.data(), 0, Math.toIntExact(v.numValues()));
    }

    /** The position scale of linear interpolation ({@code 1 / factor} for LINEAR and YARN, else 1). */
    public float freqScale() {
        return type == Type.LINEAR || type == Type.YARN ? 1f / factor : 1f;
    }

    /** The RoPE of a layer with this scaling. */
    public RopeConfig rope(int ropeDim, float base, boolean neox) {
        float freqScale = freqScale();
        float[] plain = RopeConfig.standardFrequencies(ropeDim, base, 1f);
        float[] divisors = divisors(ropeDim, plain);
        float[] steps = new float[plain.length];
        float[] corr = type == Type.YARN ? yarnCorrectionDims(ropeDim, base) : null;
        for (int i = 0; i < steps.length; i++) {
            float extrap = divisors == null ? plain[i] : plain[i] / divisors[i];
            float interp = freqScale * extrap;
            if (corr == null) {
                steps[i] = interp;
            } else {
                float mix = yarnRamp(corr[0], corr[1], i);
                steps[i] = interp * (1 - mix) + extrap * mix;
            }
        }
        float mscale = attnFactor;
        if (type == Type.YARN) {
            mscale *= 1.0f + 0.1f * (float) Math.log(1.0f / freqScale);
        }
        return new RopeConfig(ropeDim, base, freqScale, neox, steps, mscale);
    }

    /** Per-pair frequency divisors: the file's, or Llama-3's computed from the metadata, or none. */
    private float[] divisors(int ropeDim, float[] plain) {
        if (freqFactors != null) {
            if (freqFactors.length != ropeDim / 2) {
                throw new IllegalArgumentException("rope_freqs.weight has %d values, expected %d"
                        .formatted(freqFactors.length, ropeDim / 2));
            }
            return freqFactors;
        }
        if (type != Type.LLAMA3) {
            return null;
        }
        // Hugging Face's _compute_llama3_parameters, as divisors (what llama.cpp's converter writes)
        float[] d = new float[plain.length];
        double lowWavelen = originalContext / lowFreqFactor;
        double highWavelen = originalContext / highFreqFactor;
        for (int i = 0; i < d.length; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            if (wavelen < highWavelen) {
                d[i] = 1f;
            } else if (wavelen > lowWavelen) {
                d[i] = factor;
            } else {
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                d[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return d;
    }

    /** ggml's {@code ggml_rope_yarn_corr_dims}: the pair range over which YaRN blends. */
    private float[] yarnCorrectionDims(int ropeDim, float base) {
        float start = (float) Math.floor(corrDim(ropeDim, betaFast, base));
        float end = (float) Math.ceil(corrDim(ropeDim, betaSlow, base));
        return new float[] {Math.max(0, start), Math.min(ropeDim - 1, end)};
    }

    private float corrDim(int ropeDim, float rotations, float base) {
        float turns = originalContext / (rotations * 2 * (float) Math.PI);
        return ropeDim * (float) Math.log(turns) / (2 * (float) Math.log(base));
    }

    /** ggml's {@code rope_yarn_ramp} for pair {@code i} (its {@code i0 / 2}). */
    private static float yarnRamp(float low, float high, int i) {
        float y = (i - low) / Math.max(0.001f, high - low);
        return 1 - Math.min(1, Math.max(0, y));
    }

    @Override
    public float[] freqFactors() {
        return freqFactors == null ? null : freqFactors.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RopeScaling r && r.type == type && Float.compare(r.factor, factor) == 0
                && r.originalContext == originalContext && Float.compare(r.attnFactor, attnFactor) == 0
                && Float.compare(r.betaFast, betaFast) == 0 && Float.compare(r.betaSlow, betaSlow) == 0
                && Float.compare(r.lowFreqFactor, lowFreqFactor) == 0
                && Float.compare(r.highFreqFactor, highFreqFactor) == 0 && Arrays.equals(r.freqFactors, freqFactors);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, factor, originalContext, attnFactor, betaFast, betaSlow, lowFreqFactor,
                highFreqFactor, Arrays.hashCode(freqFactors));
    }

    @Override
    public String toString() {
        return "RopeScaling[%s, factor %s, original context %d, attn factor %s%s]".formatted(type, factor,
                originalContext, attnFactor, freqFactors == null ? "" : ", " + freqFactors.length + " freq factors");
    }
}
