package io.jserve.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * One worker thread's reusable buffers, grown on demand and never shared: a decoded weight row, raw halves, the
 * lanes of a reduced accumulator, attention scores. Keeping them avoids garbage on every operation.
 */
final class Scratch {
    private float[] row = new float[0];
    private short[] shorts = new short[0];
    private float[] scores = new float[0];
    private long[] offsets = new long[0];
    /** One vector's lanes, for summing an accumulator in a fixed order. */
    final float[] lanes = new float[FloatVector.SPECIES_PREFERRED.length()];
    /** The 16 accumulators of an 8-bit Q8_0 dot ({@link Q8_0Int8Kernel}). */
    final float[] acc16 = new float[16];
    /** The 16 block scales of a group of an 8-bit Q8_0 dot. */
    final float[] scale16 = new float[16];
    /** The 16 block sums of a partial group of an 8-bit Q8_0 dot. */
    final int[] int16 = new int[16];
    /** Four partly folded groups of four blocks of an 8-bit Q8_0 dot. */
    final int[] int64 = new int[64];

    /** A buffer of at least {@code n} floats for a decoded weight row. */
    float[] row(int n) {
        if (row.length < n) {
            row = new float[n];
        }
        return row;
    }

    /** A buffer of at least {@code n} shorts. */
    short[] shorts(int n) {
        if (shorts.length < n) {
            shorts = new short[n];
        }
        return shorts;
    }

    /** A buffer of at least {@code n} longs for the KV byte offsets of a sequence's positions. */
    long[] offsets(int n) {
        if (offsets.length < n) {
            offsets = new long[Math.max(n, 2 * offsets.length)];
        }
        return offsets;
    }

    /** A buffer of at least {@code n} floats for attention scores. */
    float[] scores(int n) {
        if (scores.length < n) {
            scores = new float[Math.max(n, 2 * scores.length)];
        }
        return scores;
    }
}
