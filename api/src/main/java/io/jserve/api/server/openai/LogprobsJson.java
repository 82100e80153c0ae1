package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.Json;
import io.jserve.engine.StreamEvent;
import io.jserve.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Formats token log-probabilities in the two OpenAI shapes: chat's {@code {"content": [{token, logprob, bytes,
 * top_logprobs}]}} and completions' {@code {tokens, token_logprobs, top_logprobs, text_offset}}. A token's text is
 * its bytes read as UTF-8 (a lone byte of a multi-byte character shows as U+FFFD; {@code bytes} has the truth).
 */
public final class LogprobsJson {
    private final Tokenizer tokenizer;

    public LogprobsJson(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Chat's logprobs object for {@code tokens}. */
    public ObjectNode chat(List<StreamEvent.Token> tokens) {
        ObjectNode root = Json.object();
        ArrayNode content = root.putArray("content");
        for (StreamEvent.Token token : tokens) {
            ObjectNode entry = entry(token.tokenId(), token.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            for (StreamEvent.TopLogprob alt : token.topLogprobs()) {
                top.add(entry(alt.tokenId(), alt.logprob()));
            }
            content.add(entry);
        }
        return root;
    }

    private ObjectNode entry(int tokenId, float logprob) {
        byte[] bytes = tokenizer.tokenBytes(tokenId);
        ObjectNode entry = Json.object();
        entry.put("token", new String(bytes, StandardCharsets.UTF_8));
        putLogprob(entry, "logprob", logprob);
        ArrayNode array = entry.putArray("bytes");
        for (byte b : bytes) {
            array.add(b & 0xFF);
        }
        return entry;
    }

    /**
     * Completions' logprobs object.
     *
     * @param offsets the text offset of each token, same length as {@code tokens}
     */
    public ObjectNode completion(List<StreamEvent.Token> tokens, List<Integer> offsets) {
        ObjectNode root = Json.object();
        ArrayNode texts = root.putArray("tokens");
        ArrayNode logprobs = root.putArray("token_logprobs");
        ArrayNode tops = root.putArray("top_logprobs");
        ArrayNode textOffsets = root.putArray("text_offset");
        for (int i = 0; i < tokens.size(); i++) {
            StreamEvent.Token token = tokens.get(i);
            texts.add(text(token.tokenId()));
            if (Float.isNaN(token.logprob())) {
                logprobs.addNull();
            } else {
                logprobs.add(token.logprob());
            }
            ObjectNode top = tops.addObject();
            for (StreamEvent.TopLogprob alt : token.topLogprobs()) {
                if (!top.has(text(alt.tokenId()))) {
                    putLogprob(top, text(alt.tokenId()), alt.logprob());
                }
            }
            textOffsets.add(offsets.get(i));
        }
        return root;
    }

    private String text(int tokenId) {
        return new String(tokenizer.tokenBytes(tokenId), StandardCharsets.UTF_8);
    }

    private static void putLogprob(ObjectNode node, String field, float logprob) {
        if (Float.isNaN(logprob)) {
            node.putNull(field);
        } else {
            node.put(field, logprob);
        }
    }
}
