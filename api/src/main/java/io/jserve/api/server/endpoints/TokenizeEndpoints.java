package io.jserve.api.server.endpoints;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.jserve.api.server.ModelService;
import io.jserve.api.server.ServerConfig;
import io.jserve.api.server.ServingState;
import io.jserve.api.server.http.Json;
import io.jserve.api.server.http.RequestBodies;
import io.jserve.api.server.http.Responses;
import io.jserve.api.server.openai.ChatCompletionParser;
import io.jserve.api.server.openai.Fields;

import java.util.List;

/**
 * vLLM's {@code POST /tokenize} (a {@code prompt}, or chat {@code messages} rendered with the template) and
 * {@code POST /detokenize} ({@code tokens} to text), with vLLM's request and response shapes.
 */
final class TokenizeEndpoints {
    /** Most token ids one {@code /detokenize} takes. */
    static final int MAX_TOKENS = 1 << 20;

    private final ServingState state;
    private final ServerConfig config;

    TokenizeEndpoints(ServingState state, ServerConfig config) {
        this.state = state;
        this.config = config;
    }

    void tokenize(ServerRequest req, ServerResponse res) {
        ModelService model = state.require();
        Fields f = Fields.of(Json.parseObject(RequestBodies.read(req, config.maxRequestBytes())));
        model.checkModel(f.string("model"));
        int[] ids;
        if (f.node("messages").isPresent()) {
            ids = model.chatTokens(ChatCompletionParser.messages(f), f.bool("add_generation_prompt").orElse(true));
        } else {
            String prompt = f.string("prompt").orElseThrow(
                    () -> f.invalid("prompt", "give 'prompt' (a string) or 'messages'."));
            ids = model.tokenizer().encode(prompt, f.bool("add_special_tokens").orElse(true), true);
        }
        ObjectNode body = Json.object();
        body.put("count", ids.length);
        body.put("max_model_len", model.maxModelLen());
        ArrayNode tokens = body.putArray("tokens");
        for (int id : ids) {
            tokens.add(id);
        }
        Responses.json(res, 200, body);
    }

    void detokenize(ServerRequest req, ServerResponse res) {
        ModelService model = state.require();
        Fields f = Fields.of(Json.parseObject(RequestBodies.read(req, config.maxRequestBytes())));
        model.checkModel(f.string("model"));
        List<Integer> tokens = f.integers("tokens", 0, model.tokenizer().vocabSize() - 1, MAX_TOKENS)
                .orElseThrow(() -> f.invalid("tokens", "'tokens' is required."));
        ObjectNode body = Json.object();
        body.put("prompt", model.tokenizer().decode(tokens.stream().mapToInt(Integer::intValue).toArray()));
        Responses.json(res, 200, body);
    }
}
