package io.jserve.bench.cpu;

import io.jserve.engine.model.LlamaModel;
import io.jserve.engine.model.LoadedModel;
import io.jserve.engine.model.ModelConfig;
import io.jserve.engine.runner.ForwardBatchBuilder;
import io.jserve.engine.runner.ModelRunner;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.Weight;
import io.jserve.kernels.cpu.CpuBackend;
import io.jserve.kernels.cpu.CpuProfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CPU path's figures in one process, so that they can be compared with each other and with the memory
 * bandwidth measured alongside (this machine's bandwidth and load drift from run to run): the median decode step
 * at each batch size with its share of the bandwidth floor, the prefill rate of one prompt, and, with
 * {@code -Djserve.profile=true}, the time per operation of the decode steps.
 *
 * <p>Usage: {@code CpuStepBench MODEL [batches=1,8] [context=64] [steps=16] [prefill=128]}.
 */
public final class CpuStepBench {
    private static final int BLOCK = 16;
    private static int vocab;

    private CpuStepBench() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "1,8").split(",")).mapToInt(Integer::parseInt).toArray();
        int context = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int prefill = args.length > 4 ? Integer.parseInt(args[4]) : 128;
        System.out.println("machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cpus");
        MemoryBandwidth.Result before = MemoryBandwidth.measure(1L << 30, Runtime.getRuntime().availableProcessors(), 7);
        System.out.println("before: " + before);
        int maxBatch = Math.max(Arrays.stream(batches).max().orElseThrow(), 1);
        try (LoadedModel loaded = LoadedModel.load(model, "cpu")) {
            ModelConfig c = loaded.config();
            vocab = c.vocabSize();
            CpuBackend cpu = (CpuBackend) loaded.backend();
            long weightBytes = weightBytes(loaded);
            System.out.printf("model %s: %d layers, dim %d, %.3f GB of weights read per step; %s%n",
                    model.getFileName(), c.numLayers(), c.dim(), weightBytes / 1e9, cpu.description());
            int maxTokens = Math.max(maxBatch, prefill);
            int blocksPerSeq = (Math.max(context + steps + 4, prefill) + BLOCK - 1) / BLOCK;
            KvCacheShape shape = new KvCacheShape(c.numLayers(), blocksPerSeq * maxBatch, BLOCK, c.numKvHeads(), c.headDim());
            try (KvCacheStorage kv = cpu.allocateKvCache(shape)) {
                ModelRunner runner = new ModelRunner(new LlamaModel(c, loaded.weights(), cpu, maxTokens, maxBatch), cpu, kv);
                System.out.printf("| batch | context | median step ms | tok/s | floor ms at %.1f GB/s | %% of floor |%n",
                        before.medianBytesPerSecond() / 1e9);
                System.out.println("|---|---|---|---|---|---|");
                List<String> profiles = new ArrayList<>();
                for (int b : batches) { // warm-up: compile every path before timing any
                    decodeStepMs(runner, cpu, b, context, steps, blocksPerSeq);
                }
                if (prefill > 0) {
                    prefillMs(runner, cpu, prefill, blocksPerSeq);
                }
                for (int b : batches) {
                    double ms = decodeStepMs(runner, cpu, b, context, steps, blocksPerSeq);
                    long kvBytes = 2L * c.numLayers() * c.kvDim() * Float.BYTES * b * (context + steps / 2);
                    double floorMs = (weightBytes + kvBytes) / before.medianBytesPerSecond() * 1e3;
                    System.out.printf("| %d | %d | %.2f | %.1f | %.2f | %.0f %% |%n", b, context, ms, b / ms * 1e3,
                            floorMs, floorMs / ms * 100);
                    if (CpuProfile.ENABLED) {
                        profiles.add("decode, batch " + b + ":\n" + cpu.profile().table(steps));
                    }
                }
                if (prefill > 0) {
                    double ms = prefillMs(runner, cpu, prefill, blocksPerSeq);
                    System.out.printf("prefill of %d tokens: %.1f ms, %.1f tok/s%n", prefill, ms, prefill / ms * 1e3);
                    if (CpuProfile.ENABLED) {
                        profiles.add("prefill of " + prefill + " tokens:\n" + cpu.profile().table(1));
                    }
                }
                profiles.forEach(System.out::println);
            }
        }
        System.out.println("after: " + MemoryBandwidth.measure(1L << 30, Runtime.getRuntime().availableProcessors(), 7));
    }

    /** Median of {@code steps} decode steps of {@code batch} sequences at {@code context} cached positions. */
    static double decodeStepMs(ModelRunner runner, CpuBackend cpu, int batch, int context, int steps, int blocksPerSeq) {
        ForwardBatchBuilder builder = new ForwardBatchBuilder(BLOCK);
        int[][] tables = tables(batch, blocksPerSeq);
        List<Double> times = new ArrayList<>();
        for (int step = -3; step < steps; step++) {
            if (step == 0) {
                cpu.profile().reset();
            }
            builder.reset();
            for (int s = 0; s < batch; s++) {
                builder.add(new int[] {(s * 31 + step + 3) % vocab}, context + Math.max(step, 0), tables[s], true);
            }
            long t0 = System.nanoTime();
            runner.run(builder.build());
            if (step >= 0) {
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    /** The best of three runs of one {@code tokens}-token prompt in one step (the profile keeps the last). */
    static double prefillMs(ModelRunner runner, CpuBackend cpu, int tokens, int blocksPerSeq) {
        ForwardBatchBuilder builder = new ForwardBatchBuilder(BLOCK);
        int[] prompt = new int[tokens];
        for (int i = 0; i < tokens; i++) {
            prompt[i] = (i * 7919) % vocab;
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            cpu.profile().reset();
            builder.reset();
            builder.add(prompt, 0, tables(1, blocksPerSeq)[0], true);
            long t0 = System.nanoTime();
            runner.run(builder.build());
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return best;
    }

    private static int[][] tables(int batch, int blocksPerSeq) {
        int[][] tables = new int[batch][blocksPerSeq];
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < blocksPerSeq; i++) {
                tables[s][i] = s * blocksPerSeq + i;
            }
        }
        return tables;
    }

    /** Bytes a decode step reads: every matrix, the norms, and one embedding row. */
    static long weightBytes(LoadedModel loaded) {
        var w = loaded.weights();
        long total = bytes(w.tokenEmbedding()) / loaded.config().vocabSize() + bytes(w.output()) + bytes(w.outputNorm());
        for (var l : w.layers()) {
            for (Weight m : List.of(l.attnNorm(), l.wq(), l.wk(), l.wv(), l.wo(), l.ffnNorm(), l.ffnGate(), l.ffnUp(),
                    l.ffnDown())) {
                total += bytes(m);
            }
        }
        return total;
    }

    private static long bytes(Weight w) {
        return w.rows() * w.type().bytesFor(w.cols());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
