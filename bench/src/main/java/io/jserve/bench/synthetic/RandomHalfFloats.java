package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * F16 or BF16 values uniform in [-RANGE, RANGE]: a table of 65,536 pre-encoded values, indexed by the four
 * 16-bit lanes of each random long, so one random draw and one 8-byte store give four weights.
 */
final class RandomHalfFloats implements RandomBlockFiller {
    private final GgmlType type;
    private final short[] table = new short[1 << 16];

    private RandomHalfFloats(GgmlType type, boolean bf16) {
        this.type = type;
        for (int i = 0; i < table.length; i++) {
            float v = -RANGE + 2 * RANGE * (i + 0.5f) / table.length;
            short h = bf16 ? toBf16(v) : Float.floatToFloat16(v);
            if (Math.abs(decode(h, bf16)) > RANGE) {
                h--; // rounding went past the range: one step toward zero (sign-magnitude bits)
            }
            table[i] = h;
        }
    }

    private static float decode(short h, boolean bf16) {
        return bf16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
    }

    static RandomHalfFloats f16() {
        return new RandomHalfFloats(GgmlType.F16, false);
    }

    static RandomHalfFloats bf16() {
        return new RandomHalfFloats(GgmlType.BF16, true);
    }

    /** Round-to-nearest-even truncation of a (finite) float to its upper 16 bits, as ggml does. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Override
    public GgmlType type() {
        return type;
    }

    @Override
    public void fill(ByteBuffer out, long blocks, SplittableRandom random) {
        short[] t = table;
        long quads = blocks / 4;
        for (long i = 0; i < quads; i++) {
            long r = random.nextLong();
            long packed = (t[(int) r & 0xFFFF] & 0xFFFFL)
                    | (t[(int) (r >>> 16) & 0xFFFF] & 0xFFFFL) << 16
                    | (t[(int) (r >>> 32) & 0xFFFF] & 0xFFFFL) << 32
                    | (t[(int) (r >>> 48)] & 0xFFFFL) << 48;
            out.putLong(packed);
        }
        for (long i = quads * 4; i < blocks; i++) {
            out.putShort(t[random.nextInt() & 0xFFFF]);
        }
    }
}
