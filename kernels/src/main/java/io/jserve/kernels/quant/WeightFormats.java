package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.util.EnumMap;
import java.util.Map;

/** The registry of {@link WeightFormat}s, one per supported {@link GgmlType}. */
final class WeightFormats {
    private static final Map<GgmlType, WeightFormat> FORMATS = new EnumMap<>(GgmlType.class);

    static {
        for (WeightFormat f : new WeightFormat[] {
                new F32Format(), new F16Format(), new BF16Format(),
                new Q8_0Format(), new Q4_0Format(), new Q4_1Format(), new Q5_0Format(), new Q5_1Format(),
                new Q2_KFormat(), new Q3_KFormat(), new Q4_KFormat(), new Q5_KFormat(), new Q6_KFormat(),
                new IQ4_NLFormat()}) {
            FORMATS.put(f.type(), f);
        }
    }

    private WeightFormats() {
    }

    static WeightFormat of(GgmlType type) {
        WeightFormat f = FORMATS.get(type);
        if (f == null) {
            throw new UnsupportedOperationException("weights of type " + type + " are not supported; supported: "
                    + FORMATS.keySet());
        }
        return f;
    }

    static boolean isSupported(GgmlType type) {
        return FORMATS.containsKey(type);
    }
}
