package io.jserve.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The six synthetic architectures of {@code reference/arch-<name>.gguf} (Llama, Qwen2/3, Phi-3, Gemma-2/3: biases,
 * sliding windows, attention and final soft-caps, GELU, embedding scale) on the CUDA backend through the whole
 * engine: the 24 free-running greedy ids of "Once upon a time" equal llama.cpp's ({@code arch-<name>.json}; its
 * README reports the same ids with llama.cpp's f16 KV cache, which the device uses by default). Skipped, saying
 * why, where no CUDA device is usable.
 */
class CudaArchGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void needsCuda() {
        FakeCuda.installIfRequested();
        BackendAvailability cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda"))
                .map(ComputeBackendProvider::availability).findFirst()
                .orElse(BackendAvailability.unavailable("no cuda provider on the class path"));
        assumeTrue(cuda.available(), "CUDA backend unavailable: " + cuda.detail());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "phi3", "gemma2", "gemma3"})
    void greedyIdsEqualLlamaCpp(String arch) throws IOException, InterruptedException {
        JsonNode ref = JSON.readTree(SharedModels.file("reference/arch-" + arch + ".json").toFile());
        int[] prompt = ints(ref.path("prompt_token_ids"));
        int[] expected = ints(ref.path("generated_token_ids"));
        assertEquals(24, expected.length);
        var model = SharedModels.file("reference/arch-" + arch + ".gguf");
        try (Engine engine = Engine.start(EngineConfig.defaults(model).withBackend("cuda").withNumKvBlocks(64))) {
            TokenStream stream = engine.submit(new EngineRequest(arch, prompt, SamplingParams.greedy(24)));
            assertArrayEquals(expected, collect(stream), arch + " greedy ids on cuda");
        }
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

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
