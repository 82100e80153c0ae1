package io.jserve.api.cli;

import io.jserve.api.cli.config.ConfigFile;
import io.jserve.api.cli.config.LayeredDefaults;
import io.jserve.api.server.ServerConfig;
import io.jserve.engine.EngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ServeCommandTest {
    @TempDir
    Path dir;

    private Path model() throws IOException {
        Path file = dir.resolve("tiny.gguf");
        Files.write(file, new byte[]{1});
        return file;
    }

    private ServeCommand parse(Map<String, String> env, Map<String, String> file, String... args) {
        ServeCommand command = new ServeCommand();
        CommandLine cli = new CommandLine(command);
        cli.setDefaultValueProvider(new LayeredDefaults(env, file));
        cli.parseArgs(args);
        return command;
    }

    @Test
    void defaultsMatchVllmsHabits() throws IOException {
        ServeCommand c = parse(Map.of(), Map.of(), "--model", model().toString());
        ServerConfig server = c.serverConfig();
        assertEquals("127.0.0.1", server.host());
        assertEquals(8000, server.port());
        assertEquals(Optional.empty(), server.servedModelName());
        assertEquals(List.of(), server.apiKeys());
        assertEquals(4L << 20, server.maxRequestBytes());
        assertEquals(Duration.ofSeconds(30), server.shutdownGracePeriod());
        EngineConfig engine = c.engineConfig();
        assertEquals(new EngineConfig(model(), "auto", 256, 2048, 16, 0, 0, 0, 1024, true, null, 0.9), engine);
    }

    @Test
    void everyFlagIsRead() throws IOException {
        ServeCommand c = parse(Map.of(), Map.of(), "--model", model().toString(), "--served-model-name", "tiny",
                "--host", "0.0.0.0", "--port", "9000", "--max-num-seqs", "8", "--max-num-batched-tokens", "512",
                "--block-size", "32", "--kv-cache-memory", "1GiB", "--max-model-len", "1024",
                "--max-num-queued-requests", "4", "--no-enable-prefix-caching", "--api-key", "a,b", "--api-key", "c",
                "--backend", "cpu", "--seed", "7", "--max-request-size", "1M", "--shutdown-grace-period", "5");
        ServerConfig server = c.serverConfig();
        assertEquals(new ServerConfig("0.0.0.0", 9000, Optional.of("tiny"), List.of("a", "b", "c"), Optional.empty(),
                1L << 20, Duration.ofSeconds(5), Duration.ofSeconds(30)), server);
        assertEquals(new EngineConfig(model(), "cpu", 8, 512, 32, 0, 1L << 30, 1024, 4, false, 7L, 0.9),
                c.engineConfig());
    }

    @Test
    void commandLineBeatsEnvironmentBeatsFile() throws IOException {
        Path yaml = dir.resolve("serve.yaml");
        Files.writeString(yaml, "port: 7000\nmax-num-seqs: 3\nblock-size: 64\nenable-prefix-caching: false\n");
        var known = new CommandLine(new ServeCommand()).getCommandSpec().options().stream()
                .map(o -> o.longestName().substring(2)).collect(Collectors.toSet());
        ServeCommand c = parse(Map.of("JSERVE_MAX_NUM_SEQS", "5", "JSERVE_BLOCK_SIZE", "8"),
                ConfigFile.read(yaml, known), "--model", model().toString(), "--block-size", "128");
        assertEquals(7000, c.serverConfig().port());
        EngineConfig engine = c.engineConfig();
        assertEquals(5, engine.maxNumSeqs());
        assertEquals(128, engine.blockSize());
        assertFalse(engine.enablePrefixCaching());
    }

    private static String[] runCapturingStderr(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = ServeCommand.run(args, Map.of());
            return new String[]{Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void badValuesStopTheStartWithOneLine() throws IOException {
        String model = model().toString();
        String[][] cases = {
            {"--model", model, "--port", "abc"},
            {"--model", model, "--port", "70000"},
            {"--model", model, "--block-size", "24"},
            {"--model", model, "--num-kv-blocks", "10", "--kv-cache-memory", "1G"},
            {"--model", model, "--backend", "tpu"},
            {"--model", dir.resolve("missing.gguf").toString()},
            {"--model", model, "--kv-cache-memory", "lots"},
            {"--model", model, "--max-num-seqs", "0"},
            {"--model", model, "--bogus"},
            {"--config", dir.resolve("none.yaml").toString()},
        };
        String[] expected = {
            "serve: Invalid value for option '--port': 'abc' is not an int (see --help)",
            "serve: port must be in [0, 65535], got 70000",
            "serve: block-size must be a power of two in [1, 1024], got 24",
            "serve: give num-kv-blocks or kv-cache-memory, not both",
            "serve: backend must be auto, cpu, cuda or reference, got 'tpu'",
            "serve: --model: no such file " + dir.resolve("missing.gguf"),
            "serve: --kv-cache-memory: 'lots' is not a byte count (e.g. 1073741824, 512M, 4GiB)",
            "serve: max-num-seqs must be at least 1, got 0",
            "serve: Unknown option: '--bogus' (see --help)",
            "serve: cannot read config file " + dir.resolve("none.yaml") + ": " + dir.resolve("none.yaml"),
        };
        for (int i = 0; i < cases.length; i++) {
            String[] result = runCapturingStderr(cases[i]);
            assertEquals("2", result[0], String.join(" ", cases[i]));
            assertEquals(expected[i] + System.lineSeparator(), result[1]);
        }
    }

    @Test
    void environmentNamesFollowTheFlags() {
        assertEquals("JSERVE_MAX_NUM_SEQS", LayeredDefaults.environmentName("--max-num-seqs"));
        assertEquals("JSERVE_API_KEY", LayeredDefaults.environmentName("api-key"));
    }
}
