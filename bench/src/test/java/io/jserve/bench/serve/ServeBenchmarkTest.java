package io.jserve.bench.serve;

import io.jserve.api.server.OpenAiServer;
import io.jserve.api.server.ServerConfig;
import io.jserve.engine.EngineConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against a real server with stories260K. */
class ServeBenchmarkTest {
    @Test
    void everyRequestCompletesWithExactlyTheAskedTokens() throws Exception {
        Path model = Path.of(System.getProperty("jserve.sharedModels", "../../shared/models"), "stories260K.gguf");
        assertTrue(Files.isRegularFile(model), "test model missing: " + model);
        OpenAiServer server = OpenAiServer.start(ServerConfig.forTests());
        try {
            server.load(EngineConfig.defaults(model).withBackend("cpu").withNumKvBlocks(256));
            var settings = new ServeBenchmark.Settings("http://127.0.0.1:" + server.port(), Optional.of("stories260K"),
                    8, 4, 32, 16, Double.POSITIVE_INFINITY, 259, 1, Optional.empty());
            BenchmarkReport report = ServeBenchmark.run(settings);
            assertEquals(8, report.completed());
            assertEquals(0, report.failed());
            assertEquals(8 * 32, report.totalInput());
            assertEquals(8 * 16, report.totalOutput());
            assertEquals(8, report.ttftMs().count());
            assertTrue(report.itlMs().count() >= 8 * 8 && report.itlMs().count() <= 8 * 16, "one gap per chunk");
            assertTrue(report.ttftMs().mean() > 0 && report.tpotMs().mean() > 0);
            String text = report.format(4);
            assertTrue(text.contains("Successful requests:                    8"), text);
        } finally {
            server.shutdown(Duration.ZERO);
        }
    }
}
