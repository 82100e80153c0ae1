package io.jserve.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorExpTest {
    /** Vector lanes and the scalar form give the same bits, and stay within 3 ulp of Math.exp on [-87, 88]. */
    @Test
    void vectorEqualsScalarAndIsAccurate() {
        int l = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[l];
        float[] y = new float[l];
        for (int i = 0; i < 20000; i++) {
            for (int k = 0; k < l; k++) {
                x[k] = -87f + 175f * ((i * l + k) / (20000f * l));
            }
            VectorExp.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int k = 0; k < l; k++) {
                float s = VectorExp.exp(x[k]);
                assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(y[k]), "x = " + x[k]);
                double exact = Math.exp(x[k]);
                assertTrue(Math.abs(s - exact) <= 3 * Math.ulp((float) exact), "x = %s: %s vs %s".formatted(x[k], s, exact));
            }
        }
        assertEquals(1f, VectorExp.exp(0f));
    }

    /** The softmax helper: exponentials of x - max and their sum in the documented order. */
    @Test
    void softmaxSumsInAFixedOrder() {
        float[] v = {0f, -1f, -2f, 1f, 0.5f, -0.5f, 2f, -3f, 0.25f, 0f, 1f, -1f, 3f, 0f, 0f, 0f, -4f, 1.5f, 2.5f};
        float[] copy = v.clone();
        float max = 3f;
        float sum = VectorExp.expMinusMaxAndSum(v, v.length, max, new float[FloatVector.SPECIES_PREFERRED.length()]);
        double want = 0;
        for (int j = 0; j < copy.length; j++) {
            assertEquals(VectorExp.exp(copy[j] - max), v[j]);
            want += Math.exp(copy[j] - max);
        }
        assertEquals(want, sum, 1e-6 * want);
    }
}
