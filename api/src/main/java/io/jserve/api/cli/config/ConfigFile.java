package io.jserve.api.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a YAML config file whose keys are the command's long option names, as vLLM's {@code --config} does:
 * {@code port: 8000}, {@code max-num-seqs: 64}, {@code api-key: [k1, k2]}. Underscores are accepted for dashes.
 * An unknown key, a nested map or a file that is not a mapping is an error naming the file and the key.
 */
public final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * The file's values as option strings (lists joined with commas), keyed by option name without dashes.
     *
     * @param known the option names the command has, without dashes
     * @throws IllegalArgumentException with a one-line message when the file is unreadable or wrong
     */
    public static Map<String, String> read(Path path, Set<String> known) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(path));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + path + ": " + oneLine(e.getMessage()));
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return Map.of();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("config file " + path + " must be a mapping of option names to values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String key = entry.getKey().replaceFirst("^-+", "").replace('_', '-');
            if (!known.contains(key) || key.equals("config")) {
                throw new IllegalArgumentException("config file " + path + ": unknown key '" + entry.getKey()
                        + "'; known keys: " + String.join(", ", new TreeSet<>(known)));
            }
            values.put(key, value(path, entry.getKey(), entry.getValue()));
        }
        return values;
    }

    private static String value(Path path, String key, JsonNode node) {
        if (node.isValueNode()) {
            return node.asText();
        }
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isValueNode()) {
                    throw new IllegalArgumentException("config file " + path + ": '" + key
                            + "' must be a value or a list of values");
                }
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        throw new IllegalArgumentException("config file " + path + ": '" + key + "' must be a value or a list of values");
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
