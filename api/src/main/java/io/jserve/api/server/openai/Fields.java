package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Strict, typed reads of a request object's fields. A JSON {@code null} counts as absent (the OpenAI SDKs send
 * explicit nulls for unset fields); a value of the wrong JSON type or out of range is a 400 whose {@code param}
 * names the field. Numbers are never coerced from strings, and integers must be written without a fraction.
 */
public final class Fields {
    private final ObjectNode object;
    private final String prefix;

    /**
     * @param object the object to read
     * @param prefix how the object is named in {@code param}, e.g. {@code "messages[2]."}; empty for the body
     */
    public Fields(ObjectNode object, String prefix) {
        this.object = Objects.requireNonNull(object, "object");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    /** Reads the request body itself. */
    public static Fields of(ObjectNode body) {
        return new Fields(body, "");
    }

    /** The field's name as it appears in {@code param}. */
    public String param(String name) {
        return prefix + name;
    }

    /** The raw value, empty when absent or null. */
    public Optional<JsonNode> node(String name) {
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** A 400 naming this field. */
    public ApiException invalid(String name, String message) {
        return ApiException.invalid(param(name), message);
    }

    public Optional<String> string(String name) {
        return node(name).map(n -> {
            if (!n.isTextual()) {
                throw invalid(name, "'" + param(name) + "' must be a string, got " + Json.kind(n) + ".");
            }
            return n.textValue();
        });
    }

    public Optional<Boolean> bool(String name) {
        return node(name).map(n -> {
            if (!n.isBoolean()) {
                throw invalid(name, "'" + param(name) + "' must be a boolean, got " + Json.kind(n) + ".");
            }
            return n.booleanValue();
        });
    }

    /** An integer in {@code [min, max]}. */
    public OptionalInt integer(String name, long min, long max) {
        OptionalLong value = longValue(name, min, max);
        return value.isPresent() ? OptionalInt.of((int) value.getAsLong()) : OptionalInt.empty();
    }

    /** A 64-bit integer in {@code [min, max]}. */
    public OptionalLong longValue(String name, long min, long max) {
        Optional<JsonNode> node = node(name);
        if (node.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(toLong(node.get(), name, min, max));
    }

    /** Reads {@code node} (a value of field {@code name}) as an integer in {@code [min, max]}. */
    public long toLong(JsonNode node, String name, long min, long max) {
        if (!node.isIntegralNumber()) {
            throw invalid(name, "'" + param(name) + "' must be an integer, got " + Json.kind(node)
                    + (node.isNumber() ? " with a fraction" : "") + ".");
        }
        if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            throw invalid(name, "'" + param(name) + "' must be in [" + min + ", " + max + "], got "
                    + node.asText() + ".");
        }
        return node.longValue();
    }

    /** A finite number in {@code [min, max]}. */
    public OptionalDouble number(String name, double min, double max) {
        Optional<JsonNode> node = node(name);
        if (node.isEmpty()) {
            return OptionalDouble.empty();
        }
        JsonNode n = node.get();
        if (!n.isNumber()) {
            throw invalid(name, "'" + param(name) + "' must be a number, got " + Json.kind(n) + ".");
        }
        double value = n.doubleValue();
        if (!Double.isFinite(value) || value < min || value > max) {
            throw invalid(name, "'" + param(name) + "' must be in [" + fmt(min) + ", " + fmt(max) + "], got "
                    + n.asText() + ".");
        }
        return OptionalDouble.of(value);
    }

    /** An object field. */
    public Optional<ObjectNode> object(String name) {
        return node(name).map(n -> {
            if (!(n instanceof ObjectNode o)) {
                throw invalid(name, "'" + param(name) + "' must be an object, got " + Json.kind(n) + ".");
            }
            return o;
        });
    }

    /** An array field; each element is returned as is. */
    public Optional<List<JsonNode>> array(String name) {
        return node(name).map(n -> {
            if (!n.isArray()) {
                throw invalid(name, "'" + param(name) + "' must be an array, got " + Json.kind(n) + ".");
            }
            List<JsonNode> items = new ArrayList<>(n.size());
            n.forEach(items::add);
            return items;
        });
    }

    /** A list of integers in {@code [min, max]}, at most {@code maxItems} of them. */
    public Optional<List<Integer>> integers(String name, long min, long max, int maxItems) {
        return array(name).map(items -> {
            if (items.size() > maxItems) {
                throw invalid(name, "'" + param(name) + "' has " + items.size() + " items; at most " + maxItems
                        + " are allowed.");
            }
            List<Integer> values = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                values.add((int) toLong(items.get(i), name + "[" + i + "]", min, max));
            }
            return values;
        });
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
