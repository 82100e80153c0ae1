package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.gguf.LlamaShape;
import io.jserve.engine.gguf.SyntheticVocab;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The K-quant fillers write blocks that ggml's dequantization (our bit-exact formats) reads as small values. */
class RandomKQuantTest {
    /** Rows of 256 values: the K-quant super-block size. */
    private static final LlamaShape SHAPE = new LlamaShape(256, 1, 4, 2, 512, SyntheticVocab.MIN_SIZE, 128, 10000f,
            1e-5f, false);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void everyValueIsFiniteAndWithinRange(GgmlType type) throws IOException {
        Path p = dir.resolve(type + ".gguf");
        SyntheticModelWriter.write(p, "k", SHAPE, type, Optional.empty(), 5);
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(OptionalLong.of(SyntheticModelWriter.fileType(type)), g.integer("general.file_type"));
            WeightView w = g.weight("blk.0.ffn_down.weight");
            assertEquals(type, w.type());
            float[] v = WeightFormat.of(type).dequantize(w.data(), 0, Math.toIntExact(w.numValues()));
            double max = 0;
            for (float x : v) {
                assertTrue(Float.isFinite(x) && Math.abs(x) <= RandomBlockFiller.RANGE, "value " + x);
                max = Math.max(max, Math.abs(x));
            }
            assertTrue(max > RandomBlockFiller.RANGE / 8, "values are not all tiny: max " + max);
        }
    }
}
