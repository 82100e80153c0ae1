package io.jserve.api.server.endpoints;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.jserve.api.server.ModelService;
import io.jserve.api.server.ServerConfig;
import io.jserve.api.server.ServingState;
import io.jserve.api.server.generation.Generation;
import io.jserve.api.server.generation.PreparedPrompt;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;
import io.jserve.api.server.http.RequestBodies;
import io.jserve.api.server.metrics.ServerMetrics;
import io.jserve.api.server.openai.ChatCompletionRequest;
import io.jserve.api.server.openai.ChatFormat;
import io.jserve.api.server.openai.CompletionFormat;
import io.jserve.api.server.openai.CompletionRequest;
import io.jserve.api.server.openai.GenerationOptions;
import io.jserve.api.server.openai.ResponseFormat;
import io.jserve.api.server.openai.ResponseMeta;
import io.jserve.scheduler.QueueFullException;

import java.util.List;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: read and validate the body, build the
 * prompts, submit every choice, and answer streamed or whole. A full waiting queue is a 429 at once.
 */
final class GenerationEndpoints {
    private final ServingState state;
    private final ServerMetrics metrics;
    private final ServerConfig config;

    GenerationEndpoints(ServingState state, ServerMetrics metrics, ServerConfig config) {
        this.state = state;
        this.metrics = metrics;
        this.config = config;
    }

    void chat(ServerRequest req, ServerResponse res) throws InterruptedException {
        long arrival = System.nanoTime();
        ModelService model = state.require();
        ChatCompletionRequest request = model.chatParser().parse(
                Json.parseObject(RequestBodies.read(req, config.maxRequestBytes())));
        model.checkModel(request.model());
        PreparedPrompt prompt = model.prepare(request);
        GenerationOptions options = request.options();
        ResponseMeta meta = ResponseMeta.create("chatcmpl-", "chat.completion", model.servedName());
        run(res, model, List.of(prompt), options,
                new ChatFormat(meta, model.logprobs(), options.includeUsage(), options.wantsLogprobs()), meta, arrival);
    }

    void completion(ServerRequest req, ServerResponse res) throws InterruptedException {
        long arrival = System.nanoTime();
        ModelService model = state.require();
        CompletionRequest request = model.completionParser().parse(
                Json.parseObject(RequestBodies.read(req, config.maxRequestBytes())));
        model.checkModel(request.model());
        List<PreparedPrompt> prompts = model.prepare(request);
        GenerationOptions options = request.options();
        ResponseMeta meta = ResponseMeta.create("cmpl-", "text_completion", model.servedName());
        run(res, model, prompts, options,
                new CompletionFormat(meta, model.logprobs(), options.includeUsage(), options.wantsLogprobs()), meta,
                arrival);
    }

    private void run(ServerResponse res, ModelService model, List<PreparedPrompt> prompts, GenerationOptions options,
                     ResponseFormat format, ResponseMeta meta, long arrival) throws InterruptedException {
        state.enter();
        try {
            Generation generation = start(model, prompts, options, meta, arrival);
            int choices = prompts.size() * options.n();
            if (options.stream()) {
                GenerationResponder.stream(res, generation, format, choices, options.includeUsage());
            } else {
                GenerationResponder.whole(res, generation, format, choices, config.idleTimeout());
            }
        } finally {
            state.leave();
        }
    }

    private Generation start(ModelService model, List<PreparedPrompt> prompts, GenerationOptions options,
                             ResponseMeta meta, long arrival) {
        try {
            return Generation.start(model.engine()::submit, meta.id(), prompts, options, model.tokenizer(), metrics,
                    arrival);
        } catch (QueueFullException e) {
            throw new ApiException(429, "rate_limit_error", null, "queue_full",
                    "The server is at capacity (" + e.getMessage() + "); retry later.");
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("The engine is not running: " + e.getMessage());
        }
    }
}
