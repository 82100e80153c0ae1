package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** F32 values uniform in [-RANGE, RANGE): two per random long, from its two 32-bit halves. */
final class RandomF32 implements RandomBlockFiller {
    /** Maps a 24-bit integer to [-RANGE, RANGE). */
    private static final float SCALE = 2 * RANGE / (1 << 24);

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void fill(ByteBuffer out, long blocks, SplittableRandom random) {
        long pairs = blocks / 2;
        for (long i = 0; i < pairs; i++) {
            long r = random.nextLong();
            out.putFloat(value((int) r >>> 8));
            out.putFloat(value((int) (r >>> 32) >>> 8));
        }
        if (blocks % 2 != 0) {
            out.putFloat(value(random.nextInt() >>> 8));
        }
    }

    private static float value(int bits24) {
        return bits24 * SCALE - RANGE;
    }
}
