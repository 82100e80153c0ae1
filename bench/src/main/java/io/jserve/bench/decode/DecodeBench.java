package io.jserve.bench.decode;

import io.jserve.engine.model.LlamaModel;
import io.jserve.engine.model.LoadedModel;
import io.jserve.engine.model.ModelConfig;
import io.jserve.engine.runner.ForwardBatchBuilder;
import io.jserve.engine.runner.ModelRunner;
import io.jserve.engine.runner.StepLogits;
import io.jserve.engine.sampling.Sampler;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.LogitSummary;
import io.jserve.kernels.Weight;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decode-step throughput of the model below the scheduler: B sequences, each already holding {@code context}
 * tokens in the KV cache, decode {@code steps} tokens together; reports the median step time, tokens per
 * second and the memory-bandwidth floor (weight bytes + KV bytes read per step / a measured bandwidth).
 *
 * <p>The cached K/V values are whatever the pool holds (zeros): attention does the full amount of work over
 * {@code context} positions, and since throughput depends on shapes, not values, prefill is skipped. The floor
 * counts the KV bytes at the backend's storage width: 2 bytes a value for the cuda backend's default f16 cache
 * ({@code -Djserve.cuda.kvCache=f32} makes it 4), 4 for the CPU backends.
 * <p>Each step ends as a greedy engine step does: the backend summarizes the logits ({@link LogitSummary}, the
 * best {@value Sampler#CANDIDATES} a row) and the host reads the first candidate of each row.
 * {@code -Djserve.bench.logits=full} copies every row of logits to the host instead (the engine before summaries).
 * Usage: {@code DecodeBench MODEL BACKEND CONTEXT STEPS BANDWIDTH_GBPS B1 [B2 ...]}.
 */
public final class DecodeBench {
    private static final boolean FULL_LOGITS = "full".equals(System.getProperty("jserve.bench.logits"));
    /** Sum of every greedy token read: each step reads each row's choice, as the engine does. */
    private static long tokens;

    private DecodeBench() {
    }

    public static void main(String[] args) {
        if (args.length < 6) {
            System.err.println("usage: DecodeBench MODEL BACKEND CONTEXT STEPS BANDWIDTH_GBPS BATCH...");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        String backend = args[1];
        int context = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        double bandwidth = Double.parseDouble(args[4]) * 1e9;
        int[] batches = Arrays.stream(args, 5, args.length).mapToInt(Integer::parseInt).toArray();
        int maxBatch = Arrays.stream(batches).max().orElseThrow();
        try (LoadedModel loaded = LoadedModel.load(model, backend)) {
            ModelConfig c = loaded.config();
            int blockSize = 16;
            int blocksPerSeq = (context + steps + blockSize - 1) / blockSize;
            KvCacheShape shape = new KvCacheShape(c.numLayers(), blocksPerSeq * maxBatch, blockSize,
                    c.numKvHeads(), c.headDim());
            long weightBytes = weightBytes(loaded);
            int kvValueBytes = kvValueBytes(loaded.backend().name());
            System.out.printf("model %s: %s, %d layers, dim %d, weights %.2f GB; backend %s; logits: %s%n",
                    model.getFileName(), c.architecture(), c.numLayers(), c.dim(), weightBytes / 1e9,
                    loaded.backendDescription(), FULL_LOGITS ? "every row copied" : "summarized");
            System.out.printf("| batch | context | median step ms | tok/s | floor ms (bytes/%.0f GB/s) | %% of floor |%n",
                    bandwidth / 1e9);
            System.out.println("|---|---|---|---|---|---|");
            try (KvCacheStorage kv = loaded.backend().allocateKvCache(shape)) {
                LlamaModel llama = new LlamaModel(c, loaded.weights(), loaded.backend(), maxBatch, maxBatch);
                ModelRunner runner = new ModelRunner(llama, loaded.backend(), kv);
                for (int b : batches) {
                    double ms = medianStepMs(runner, b, context, steps, blockSize, blocksPerSeq);
                    long kvBytes = 2L * c.numLayers() * c.kvDim() * kvValueBytes * (long) b * (context + steps / 2);
                    double floorMs = (weightBytes + kvBytes) / bandwidth * 1e3;
                    System.out.printf("| %d | %d | %.3f | %.1f | %.3f | %.0f %% |%n", b, context, ms, b / ms * 1e3,
                            floorMs, floorMs / ms * 100);
                }
            }
        }
    }

    private static double medianStepMs(ModelRunner runner, int batch, int context, int steps, int blockSize,
                                       int blocksPerSeq) {
        ForwardBatchBuilder builder = new ForwardBatchBuilder(blockSize);
        int[][] tables = new int[batch][blocksPerSeq];
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < blocksPerSeq; i++) {
                tables[s][i] = s * blocksPerSeq + i;
            }
        }
        List<Double> times = new ArrayList<>();
        LogitSummary summary = new LogitSummary(Sampler.CANDIDATES);
        int warmup = Math.min(3, steps);
        for (int step = 0; step < steps + warmup; step++) {
            builder.reset();
            int position = context + Math.min(step, steps - 1);
            for (int s = 0; s < batch; s++) {
                builder.add(new int[] {(s * 31 + step) % 1000 + 10}, position, tables[s], true);
            }
            long t0 = System.nanoTime();
            StepLogits logits = runner.run(builder.build());
            if (FULL_LOGITS) {
                logits.all();
            } else {
                summary.reset(batch, logits.vocabSize());
                logits.summarize(summary);
                for (int s = 0; s < batch; s++) {
                    tokens += summary.id(s, 0); // the greedy token
                }
            }
            if (step >= warmup) {
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    /** Bytes per cached key or value: the cuda backend stores f16 unless told otherwise. */
    static int kvValueBytes(String backend) {
        return "cuda".equals(backend) && !"f32".equals(System.getProperty("jserve.cuda.kvCache")) ? 2 : Float.BYTES;
    }

    private static long weightBytes(LoadedModel loaded) {
        long total = bytes(loaded.weights().tokenEmbedding()) / loaded.config().vocabSize(); // one row is read
        if (loaded.weights().output() != loaded.weights().tokenEmbedding()) {
            total += bytes(loaded.weights().output());
        } else {
            total += bytes(loaded.weights().tokenEmbedding());
        }
        total += bytes(loaded.weights().outputNorm());
        for (var l : loaded.weights().layers()) {
            for (Weight w : List.of(l.attnNorm(), l.wq(), l.wk(), l.wv(), l.wo(), l.ffnNorm(), l.ffnGate(), l.ffnUp(),
                    l.ffnDown())) {
                total += bytes(w);
            }
        }
        return total;
    }

    private static long bytes(Weight w) {
        GgmlType t = w.type();
        return w.rows() * t.bytesFor(w.cols());
    }
}
