package io.jserve.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.engine.Engine;
import io.jserve.engine.EngineRequest;
import io.jserve.engine.StreamEvent;
import io.jserve.engine.TokenStream;
import io.jserve.scheduler.SamplingParams;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline batch mode of {@code bin/generate}, after the OpenAI Batch API and vLLM's {@code run-batch}:
 * one request per input line ({@code {"custom_id": ..., "body": {"prompt": ..., "max_tokens": ...}}}), all
 * submitted at once so the engine batches them, one result per output line in input order. A bad line gets an
 * error object in its output line; the other lines still run.
 */
final class BatchRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final SamplingParams defaults;

    BatchRunner(Engine engine, SamplingParams defaults) {
        this.engine = engine;
        this.defaults = defaults;
    }

    /** One input line: its request once parsed and submitted, or why it could not be. */
    private record Line(String customId, int promptTokens, TokenStream stream, String error) {
    }

    int run(Path input, Path output) throws IOException, InterruptedException {
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        List<Line> submitted = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                submitted.add(submit(i, lines.get(i)));
            }
        }
        long start = System.nanoTime();
        long generated = 0;
        long promptTokens = 0;
        try (Writer out = output == null
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
             ProgressBar bar = new ProgressBarBuilder().setTaskName("requests").setInitialMax(submitted.size())
                     .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                     .build()) {
            for (Line line : submitted) {
                ObjectNode result = line.error == null ? collect(line) : error(line.customId, line.error);
                JsonNode usage = result.path("response").path("body").path("usage");
                generated += usage.path("completion_tokens").asLong();
                promptTokens += usage.path("prompt_tokens").asLong();
                out.write(JSON.writeValueAsString(result));
                out.write('\n');
                bar.step();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("requests: %d, prompt tokens: %d, generated tokens: %d, %.2f s, %.1f generated tok/s%n",
                submitted.size(), promptTokens, generated, seconds, generated / seconds);
        return 0;
    }

    private Line submit(int index, String text) {
        String customId = "line-" + (index + 1);
        try {
            JsonNode node = JSON.readTree(text);
            if (node.hasNonNull("custom_id")) {
                customId = node.get("custom_id").asText();
            }
            BatchRequest request = BatchRequest.parse(node.path("body"), defaults);
            int[] ids = engine.tokenizer().encode(request.prompt(), true, false);
            TokenStream stream = engine.submit(new EngineRequest(customId + "#" + index, ids, request.params()));
            return new Line(customId, ids.length, stream, null);
        } catch (IOException | RuntimeException e) {
            return new Line(customId, 0, null, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private ObjectNode collect(Line line) throws InterruptedException {
        List<Integer> ids = new ArrayList<>();
        while (true) {
            StreamEvent event = line.stream.next();
            switch (event) {
                case StreamEvent.Token t -> ids.add(t.tokenId());
                case StreamEvent.Failed f -> {
                    return error(line.customId, f.message());
                }
                case StreamEvent.Finished f -> {
                    return success(line.customId, ids, f);
                }
            }
        }
    }

    private ObjectNode success(String customId, List<Integer> ids, StreamEvent.Finished finished) {
        int[] tokens = ids.stream().mapToInt(Integer::intValue).toArray();
        ObjectNode body = JSON.createObjectNode();
        body.put("object", "text_completion");
        body.put("model", engine.model().name());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", engine.tokenizer().decode(tokens));
        choice.putNull("logprobs");
        choice.put("finish_reason", finished.reason().apiName());
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", finished.promptTokens());
        usage.put("completion_tokens", finished.completionTokens());
        usage.put("total_tokens", finished.promptTokens() + finished.completionTokens());
        ObjectNode result = JSON.createObjectNode();
        result.put("custom_id", customId);
        ObjectNode response = result.putObject("response");
        response.put("status_code", 200);
        response.set("body", body);
        result.putNull("error");
        return result;
    }

    private static ObjectNode error(String customId, String message) {
        ObjectNode result = JSON.createObjectNode();
        result.put("custom_id", customId);
        result.putNull("response");
        ObjectNode error = result.putObject("error");
        error.put("code", "invalid_request");
        error.put("message", message);
        return result;
    }
}
