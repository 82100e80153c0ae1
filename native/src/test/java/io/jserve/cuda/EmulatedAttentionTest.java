package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * store_kv and paged attention (attention.cu) on the CPU emulator ({@link KernelEmulator}), launched as
 * {@link AttentionLauncher} launches them, against the scalar reference on the multi-sequence steps of
 * {@link CudaAttentionParityTest}: prefills, then decodes mixed with a prefill chunk over cached blocks, with
 * scattered block tables; long contexts split over key ranges and merged; GQA groups; the f16 and f32 pools; the
 * sliding window and the score soft-cap. Same tolerance as on the device: 1e-5 relative L2 error per token.
 */
class EmulatedAttentionTest {
    private static final int BLOCK = 16;
    private static final int[][] TABLES = {{7, 2, 30, 11}, {1, 25, 9}, {40, 3}, {12, 33, 0, 21}};

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} heads, {1} KV heads, head dim {2}, f16 {3}, soft-cap {4}, window {5}")
    @CsvSource({
            "8, 2, 64, true, 0, 0",
            "4, 4, 128, true, 0, 0",
            "4, 1, 256, true, 0, 0",
            "6, 6, 96, true, 0, 0",
            "8, 4, 8, false, 0, 0",
            "8, 2, 64, true, 30, 0",
            "8, 2, 32, true, 0, 10",
            "8, 2, 64, false, 50, 24"})
    void shortContextsMatchTheReference(int heads, int kvHeads, int headDim, boolean f16, float softcap, int window)
            throws IOException {
        AttentionMetadata first = TestSteps.step(BLOCK, TABLES, new int[] {0, 0, 0, 0}, new int[] {37, 20, 3, 1});
        AttentionMetadata second = TestSteps.step(BLOCK, TABLES, new int[] {37, 20, 3, 1}, new int[] {1, 13, 1, 50});
        check(new AttentionConfig(heads, kvHeads, headDim, 2f / (float) Math.sqrt(headDim), softcap, window), f16, 48,
                first, second);
    }

    @ParameterizedTest(name = "soft-cap {0}, window {1}")
    @CsvSource({"0, 0", "30, 200"})
    void longContextsAreSplitAndMerged(float softcap, int window) throws IOException {
        int[][] tables = {new int[30], new int[6]};
        for (int i = 0; i < 36; i++) {  // i -> 7 i mod 36 is a permutation: scattered blocks
            int block = (i * 7) % 36;
            if (i < 30) {
                tables[0][i] = block;
            } else {
                tables[1][i - 30] = block;
            }
        }
        AttentionMetadata prefill = TestSteps.step(BLOCK, tables, new int[] {0, 0}, new int[] {420, 70});
        AttentionMetadata mixed = TestSteps.step(BLOCK, tables, new int[] {420, 70}, new int[] {1, 20});
        check(new AttentionConfig(8, 2, 64, 1f / 8, softcap, window), true, 36, prefill, mixed);
    }

    private void check(AttentionConfig config, boolean f16, int blocks, AttentionMetadata... steps)
            throws IOException {
        int heads = config.numHeads();
        int kvDim = config.numKvHeads() * config.headDim();
        int qDim = heads * config.headDim();
        Random rnd = new Random(heads * 1000L + config.headDim());
        List<float[]> expected = new ArrayList<>();
        ByteBuffer in = ByteBuffer.allocate(1 << 26).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(f16 ? 1 : 0).putInt(heads).putInt(config.numKvHeads()).putInt(config.headDim()).putInt(BLOCK)
                .putInt(blocks * BLOCK).putInt(steps.length).putFloat(config.scale()).putFloat(config.softcap())
                .putInt(config.slidingWindow());
        try (ComputeBackend ref = new ReferenceBackend();
             KvCacheStorage kv = ref.allocateKvCache(new KvCacheShape(1, blocks, BLOCK, config.numKvHeads(),
                     config.headDim()))) {
            for (AttentionMetadata m : steps) {
                int n = m.numTokens();
                float[] k = gaussian(rnd, n * kvDim, 1.0);
                float[] v = gaussian(rnd, n * kvDim, 1.0);
                float[] q = gaussian(rnd, n * qDim, 1.0);
                if (f16) { // the device's f16 pool rounds them: the reference gets the rounded values
                    roundToHalf(k);
                    roundToHalf(v);
                }
                var step = ref.prepareStep(new int[n], m);
                ref.storeKv(kv, 0, tensor(ref, n, kvDim, k), tensor(ref, n, kvDim, v), step);
                Tensor out = ref.allocate(n, qDim);
                ref.attention(kv, 0, tensor(ref, n, qDim, q), step, config, out);
                expected.add(download(ref, out));

                int maxContext = 0;
                for (int c : m.contextLens()) {
                    maxContext = Math.max(maxContext, c);
                }
                int visible = config.slidingWindow() > 0 ? Math.min(maxContext, config.slidingWindow()) : maxContext;
                in.putInt(n).putInt(AttentionLauncher.maxSplits(visible)).putInt(DeviceStepInputs.paddedStride(m));
                for (int[] part : DeviceStepInputs.parts(new int[n], m)) {
                    in.putInt(part.length);
                    for (int x : part) {
                        in.putInt(x);
                    }
                }
                for (float[] a : new float[][] {k, v, q}) {
                    for (float x : a) {
                        in.putFloat(x);
                    }
                }
            }
        }
        Path exe = KernelEmulator.driver("attention");
        Path input = dir.resolve("in.bin");
        Path output = dir.resolve("out.bin");
        byte[] bytes = new byte[in.position()];
        in.flip().get(bytes);
        Files.write(input, bytes);
        KernelEmulator.runDriver(exe, bytes.length, input.toString(), output.toString());
        ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < steps.length; s++) {
            float[] got = new float[expected.get(s).length];
            out.asFloatBuffer().get(got);
            out.position(out.position() + 4 * got.length);
            assertRowsClose(expected.get(s), got, qDim, 1e-5, "step %d of %d tokens".formatted(s, steps[s].numTokens()));
        }
    }

    private static void roundToHalf(float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
        }
    }
}
