package io.jserve.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jserve.api.cli.GenerateCommand;
import io.jserve.tests.SharedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/generate}'s command, single prompt and batch mode, on stories260K. */
class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = SharedModels.file("stories260K.gguf").toString();

    @Test
    void printsLlamaCppsGreedyContinuation() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = new CommandLine(new GenerateCommand()).execute("--model", MODEL, "--prompt", "Once upon a time",
                    "--max-tokens", "32", "--temperature", "0", "--backend", "cpu", "--num-kv-blocks", "64");
        } finally {
            System.setOut(original);
        }
        assertEquals(0, rc);
        assertEquals(", there was a little girl named Lily. She loved to play outside in the park. One day, she saw\n",
                captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void batchModeAnswersEveryLineInOrderAndABadLineGetsAnError(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("requests.jsonl");
        Path output = dir.resolve("results.jsonl");
        Files.writeString(input, String.join("\n",
                "{\"custom_id\": \"a\", \"body\": {\"prompt\": \"Once upon a time\", \"max_tokens\": 32, \"temperature\": 0}}",
                "{\"custom_id\": \"bad\", \"body\": {\"prompt\": 42}}",
                "not json at all",
                "{\"custom_id\": \"b\", \"body\": {\"prompt\": \"Once upon a time\", \"max_tokens\": 5, \"temperature\": 0}}",
                ""));
        int rc = new CommandLine(new GenerateCommand()).execute("--model", MODEL, "--input", input.toString(),
                "--output", output.toString(), "--backend", "cpu", "--num-kv-blocks", "64");
        assertEquals(0, rc);
        List<JsonNode> lines = Files.readAllLines(output).stream().map(GenerateCommandTest::parse).toList();
        assertEquals(4, lines.size());
        assertEquals("a", lines.get(0).path("custom_id").asText());
        assertEquals(200, lines.get(0).path("response").path("status_code").asInt());
        JsonNode choice = lines.get(0).path("response").path("body").path("choices").get(0);
        assertEquals(", there was a little girl named Lily. She loved to play outside in the park. One day, she saw",
                choice.path("text").asText());
        assertEquals("length", choice.path("finish_reason").asText());
        assertEquals(5, lines.get(0).path("response").path("body").path("usage").path("prompt_tokens").asInt());

        assertEquals("bad", lines.get(1).path("custom_id").asText());
        assertTrue(lines.get(1).path("response").isNull());
        assertEquals("body.prompt must be a non-empty string", lines.get(1).path("error").path("message").asText());
        assertEquals("line-3", lines.get(2).path("custom_id").asText());
        assertTrue(lines.get(2).path("error").path("message").asText().length() > 0);

        JsonNode b = lines.get(3);
        assertEquals("b", b.path("custom_id").asText());
        assertEquals(", there was a little", b.path("response").path("body").path("choices").get(0).path("text").asText());
        assertEquals(5, b.path("response").path("body").path("usage").path("completion_tokens").asInt());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
