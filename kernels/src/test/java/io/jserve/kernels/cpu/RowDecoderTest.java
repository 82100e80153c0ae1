package io.jserve.kernels.cpu;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CPU decoders (vectorized where available) give the scalar formats' values, bit for bit. */
class RowDecoderTest {

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K", "IQ4_NL"})
    void decodesExactlyAsTheScalarFormat(GgmlType type) {
        int cols = type.blockSize() == 1 ? 1030 : 4 * 256;
        WeightView w = TestWeights.random(type, 3, cols, 11 + type.id());
        RowDecoder decoder = RowDecoder.of(type);
        Scratch scratch = new Scratch();
        float[] got = new float[cols];
        for (int r = 0; r < 3; r++) {
            decoder.decode(w.data(), r * w.rowBytes(), cols, got, scratch);
            float[] want = WeightFormat.of(type).dequantize(w.data(), r * w.rowBytes(), cols);
            for (int c = 0; c < cols; c++) {
                assertEquals(Float.floatToRawIntBits(want[c]), Float.floatToRawIntBits(got[c]),
                        type + " row " + r + " col " + c);
            }
        }
    }
}
