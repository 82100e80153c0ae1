package io.jserve.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code e^x} for softmax, SiLU and the logit summaries' normalizers, vectorized and deterministic: Cephes' {@code expf} (range reduction by {@code ln 2}
 * in two parts, a degree-5 polynomial, scaling by {@code 2^n} through the exponent bits) written with plain
 * multiplies, adds and fused multiply-adds only, so the vector lanes and the scalar tail give the same bits,
 * compiled or interpreted. (The Vector API's own {@code EXP} may differ between those, which would break batch
 * invariance; {@link Math#exp} one value at a time costs some 10 ns.) Accurate to about 2 ulp; arguments below
 * -87 give about {@code 1e-38} instead of smaller values (no softmax sum notices), above 88 about {@code 1.7e38}.
 */
public final class VectorExp {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float C1 = 0.693359375f;
    private static final float C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;
    private static final float LO = -87.0f;
    private static final float HI = 88.0f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: x + ROUND - ROUND rounds to an integer

    private VectorExp() {
    }

    /**
     * {@code v[j] = e^(v[j] - max)} for {@code j < n}, and returns their sum, added in a fixed order (lane
     * {@code j % L} of a vector accumulator in increasing {@code j}, lanes left to right, then the tail).
     */
    public static float expMinusMaxAndSum(float[] v, int n, float max, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector e = exp(FloatVector.fromArray(F, v, j).sub(max));
            e.intoArray(v, j);
            acc = acc.add(e);
        }
        acc.intoArray(lanes, 0);
        float sum = 0f;
        for (float lane : lanes) {
            sum += lane;
        }
        for (; j < n; j++) {
            v[j] = exp(v[j] - max);
            sum += v[j];
        }
        return sum;
    }

    public static FloatVector exp(FloatVector x) {
        x = x.max(LO).min(HI);
        FloatVector n = x.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -C1), x);
        r = n.fma(FloatVector.broadcast(F, -C2), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** One value, with the same operations as a vector lane. */
    public static float exp(float x) {
        x = Math.min(Math.max(x, LO), HI);
        float n = x * LOG2E + ROUND - ROUND;
        float r = Math.fma(n, -C1, x);
        r = Math.fma(n, -C2, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }
}
