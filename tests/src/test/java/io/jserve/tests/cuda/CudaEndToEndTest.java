package io.jserve.tests.cuda;

import io.jserve.engine.Engine;
import io.jserve.engine.EngineConfig;
import io.jserve.engine.EngineRequest;
import io.jserve.engine.StreamEvent;
import io.jserve.engine.TokenStream;
import io.jserve.engine.runner.Backends;
import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackendProvider;
import io.jserve.scheduler.SamplingParams;
import io.jserve.tests.SharedModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole engine on the CUDA backend: greedy tokens on stories260K equal the CPU backend's, and 16
 * sequences decoded together give exactly the tokens of each decoded alone. Skipped, saying why, where no
 * CUDA device is usable.
 */
class CudaEndToEndTest {
    private static Path model;

    @BeforeAll
    static void needsCuda() {
        FakeCuda.installIfRequested();
        BackendAvailability cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda"))
                .map(ComputeBackendProvider::availability).findFirst()
                .orElse(BackendAvailability.unavailable("no cuda provider on the class path"));
        assumeTrue(cuda.available(), "CUDA backend unavailable: " + cuda.detail());
        model = SharedModels.file("stories260K.gguf");
    }

    private static int[] prompt(int i) {
        int[] p = new int[2 + i % 6];
        p[0] = 1;
        for (int j = 1; j < p.length; j++) {
            p[j] = 260 + (i * 11 + j * 17) % 240;
        }
        return p;
    }

    private static int[] collect(TokenStream stream) throws InterruptedException {
        List<Integer> ids = new ArrayList<>();
        while (true) {
            StreamEvent e = stream.poll(60, TimeUnit.SECONDS);
            assertNotNull(e, "no event for 60 s");
            if (e instanceof StreamEvent.Token t) {
                ids.add(t.tokenId());
            } else if (e instanceof StreamEvent.Failed f) {
                throw new AssertionError(f.message());
            } else {
                return ids.stream().mapToInt(Integer::intValue).toArray();
            }
        }
    }

    private static int[][] run(Engine engine, int n, int maxTokens, boolean together) throws InterruptedException {
        int[][] out = new int[n][];
        if (together) {
            List<TokenStream> streams = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                streams.add(engine.submit(new EngineRequest("t" + i, prompt(i), SamplingParams.greedy(maxTokens))));
            }
            for (int i = 0; i < n; i++) {
                out[i] = collect(streams.get(i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = collect(engine.submit(new EngineRequest("a" + i, prompt(i), SamplingParams.greedy(maxTokens))));
            }
        }
        return out;
    }

    @Test
    void greedyTokensEqualTheCpuBackendsAndBatchingChangesNothing() throws InterruptedException {
        // on the CPU emulator (FakeCuda) every launch runs thread by thread: fewer and shorter sequences there
        int n = FakeCuda.active() ? 6 : 16;
        int tokens = FakeCuda.active() ? 24 : 48;
        int[][] cpu;
        try (Engine engine = Engine.start(EngineConfig.defaults(model).withBackend("cpu").withNumKvBlocks(512))) {
            cpu = run(engine, n, tokens, false);
        }
        try (Engine engine = Engine.start(EngineConfig.defaults(model).withBackend("cuda").withNumKvBlocks(512))) {
            int[][] alone = run(engine, n, tokens, false);
            int[][] together = run(engine, n, tokens, true);
            for (int i = 0; i < n; i++) {
                assertEquals(tokens, alone[i].length);
                assertArrayEquals(cpu[i], alone[i], "sequence " + i + ": CUDA vs CPU");
                assertArrayEquals(alone[i], together[i], "sequence " + i + ": together vs alone on CUDA");
            }
        }
    }
}
