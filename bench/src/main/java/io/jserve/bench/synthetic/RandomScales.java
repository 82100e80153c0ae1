package io.jserve.bench.synthetic;

/** Block scales for the random quantized fillers: fp16 values spread over [max/2, max]. */
final class RandomScales {
    /** Table size; a power of two so a random int's low bits index it. */
    static final int SIZE = 16;

    private RandomScales() {
    }

    /** {@link #SIZE} fp16 scales from {@code max / 2} up to at most {@code max}, as raw fp16 bits. */
    static short[] table(float max) {
        short[] out = new short[SIZE];
        for (int i = 0; i < SIZE; i++) {
            float s = max * (0.5f + 0.5f * i / (SIZE - 1));
            short h = Float.floatToFloat16(s);
            if (Float.float16ToFloat(h) > max) {
                h--; // positive fp16: the next value down
            }
            out[i] = h;
        }
        return out;
    }
}
