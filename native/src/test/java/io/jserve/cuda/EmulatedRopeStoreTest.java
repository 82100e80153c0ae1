package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * elementwise.cu's {@code rope_store_kv} on the CPU emulator ({@link KernelEmulator}): rotated queries and keys and
 * the K and V pools are bit-identical to rope, rope and store_kv launched one after another (f16 and f32 pools,
 * normal and NeoX rope, partial rope dims, a magnitude scale), and the rotations are within the device's rope
 * tolerance (2e-6 relative per row) of the scalar reference.
 */
class EmulatedRopeStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} heads, {1} KV heads, head dim {2}, rope dim {3}, NeoX {4}, f16 {5}")
    @CsvSource({"8, 2, 64, 64, false, true", "6, 6, 96, 32, true, false", "28, 4, 128, 128, true, true"})
    void fusedIsTheThreeKernelsExactly(int heads, int kvHeads, int headDim, int ropeDim, boolean neox, boolean f16)
            throws IOException {
        Random rnd = new Random(heads * 31L + headDim);
        int tokens = 5;
        int numSlots = 64;
        RopeConfig rope = new RopeConfig(ropeDim, 10000f, 1f, neox);
        float mscale = rope.magnitudeScale();
        int[] positions = {0, 7, 8, 300, 4095};
        int[] slots = {3, 17, 18, 40, 63};
        float[] q = gaussian(rnd, tokens * heads * headDim, 1.0);
        float[] k = gaussian(rnd, tokens * kvHeads * headDim, 1.0);
        float[] v = gaussian(rnd, tokens * kvHeads * headDim, 1.0);
        ByteBuffer in = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(tokens).putInt(heads).putInt(kvHeads).putInt(headDim).putInt(ropeDim).putInt(neox ? 1 : 0)
                .putInt(f16 ? 1 : 0).putInt(numSlots).putFloat(mscale);
        for (int i = 0; i < ropeDim / 2; i++) {
            in.putFloat(rope.inverseFrequency(i));
        }
        Arrays.stream(positions).forEach(in::putInt);
        Arrays.stream(slots).forEach(in::putInt);
        for (float[] a : new float[][] {q, k, v}) {
            for (float x : a) {
                in.putFloat(x);
            }
        }
        Path input = dir.resolve("in.bin");
        byte[] bytes = Arrays.copyOf(in.array(), in.position());
        Files.write(input, bytes);
        int outValues = q.length + k.length + 2 * kvHeads * numSlots * headDim;
        float[] fused = run("fused", input, outValues);
        float[] separate = run("separate", input, outValues);
        assertArrayEquals(separate, fused, "q, k and both pools");

        try (ComputeBackend ref = new ReferenceBackend()) {
            // one decode token per sequence, at the positions above (rope reads only the positions)
            int[] contexts = Arrays.stream(positions).map(p -> p + 1).toArray();
            AttentionMetadata m = new AttentionMetadata(positions, new int[] {0, 1, 2, 3, 4, 5}, contexts,
                    new int[tokens * 256], 256, slots, 16);
            StepInputs step = ref.prepareStep(new int[tokens], m);
            Tensor rq = CudaTestSupport.tensor(ref, tokens, heads * headDim, q);
            ref.rope(rq, heads, headDim, rope, step);
            assertRowsClose(CudaTestSupport.download(ref, rq), Arrays.copyOf(fused, q.length), heads * headDim, 2e-6,
                    "rotated queries");
        }
    }

    private float[] run(String mode, Path input, int outValues) throws IOException {
        Path output = dir.resolve(mode + ".bin");
        KernelEmulator.runDriver(KernelEmulator.driver("rope"), outValues, mode, input.toString(), output.toString());
        float[] out = new float[outValues];
        ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
