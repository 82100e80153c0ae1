package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.Json;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * The fields every response object and every stream chunk of one request repeats, identical in all of them:
 * {@code id}, {@code object}, {@code created} (unix seconds) and {@code model}.
 */
public record ResponseMeta(String id, String object, long created, String model) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    public ResponseMeta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(model, "model");
    }

    /** A fresh meta with a random id {@code idPrefix + 24 characters} created now. */
    public static ResponseMeta create(String idPrefix, String object, String model) {
        char[] suffix = new char[24];
        for (int i = 0; i < suffix.length; i++) {
            suffix[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new ResponseMeta(idPrefix + new String(suffix), object, System.currentTimeMillis() / 1000, model);
    }

    /** This meta with another {@code object} (e.g. {@code chat.completion.chunk}). */
    public ResponseMeta withObject(String newObject) {
        return new ResponseMeta(id, newObject, created, model);
    }

    /** A new response object holding these four fields, in OpenAI's order. */
    public ObjectNode start() {
        ObjectNode node = Json.object();
        node.put("id", id);
        node.put("object", object);
        node.put("created", created);
        node.put("model", model);
        return node;
    }
}
