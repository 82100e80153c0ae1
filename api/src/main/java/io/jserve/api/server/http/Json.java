package io.jserve.api.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * The server's one JSON configuration. Reading is strict and bounded, so a hostile body fails fast with a 400:
 * nesting deeper than {@value #MAX_NESTING_DEPTH}, numbers longer than {@value #MAX_NUMBER_LENGTH} digits,
 * duplicate keys, trailing content, invalid UTF-8 and non-standard literals (NaN, comments) are all refused.
 */
public final class Json {
    /** Deepest nesting accepted; OpenAI requests need at most 5 (messages, parts, objects). */
    public static final int MAX_NESTING_DEPTH = 32;
    /** Longest number literal accepted. */
    public static final int MAX_NUMBER_LENGTH = 64;

    /** Thread-safe once configured; shared by every handler. */
    public static final ObjectMapper MAPPER = createMapper();

    private Json() {
    }

    private static ObjectMapper createMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .build())
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }

    /**
     * Parses a request body that must be one JSON object.
     *
     * @throws ApiException 400 naming what is wrong with the body
     */
    public static ObjectNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw ApiException.invalid(null, "The request body is too deeply nested or has too long a number: "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "The request body could not be read: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.invalid(null, "The request body is empty; expected a JSON object.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalid(null, "The request body must be a JSON object, got " + kind(node) + ".");
        }
        return object;
    }

    /** Compact JSON bytes of a tree or value; never fails for trees built by the server. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    /** The JSON kind of a node, for error messages: object, array, string, number, boolean or null. */
    public static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case STRING, BINARY -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
        };
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
