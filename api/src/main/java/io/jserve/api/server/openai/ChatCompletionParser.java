package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;
import io.jserve.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@code /v1/chat/completions} body. Message content may be a string or a list of text parts (joined);
 * roles are system, user and assistant ({@code developer} is read as system, as OpenAI's newer models do).
 * Features this server does not have (tools, image parts, structured output) are refused with a 400 rather than
 * silently ignored.
 */
public final class ChatCompletionParser {
    /** Most messages in one request. */
    public static final int MAX_MESSAGES = 4096;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "developer");

    private final GenerationOptionsParser options;

    public ChatCompletionParser(GenerationOptionsParser options) {
        this.options = options;
    }

    public ChatCompletionRequest parse(ObjectNode body) {
        Fields f = Fields.of(body);
        var model = f.string("model");
        List<ChatMessage> messages = messages(f);
        rejectUnsupported(f);
        return new ChatCompletionRequest(model, messages, options.chat(f));
    }

    /** The {@code messages} field of a chat request (also used by {@code /tokenize}). */
    public static List<ChatMessage> messages(Fields f) {
        List<JsonNode> items = f.array("messages")
                .orElseThrow(() -> f.invalid("messages", "'messages' is required."));
        if (items.isEmpty()) {
            throw f.invalid("messages", "'messages' must have at least one message.");
        }
        if (items.size() > MAX_MESSAGES) {
            throw f.invalid("messages", "'messages' has " + items.size() + " items; at most " + MAX_MESSAGES
                    + " are allowed.");
        }
        List<ChatMessage> messages = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String prefix = "messages[" + i + "].";
            if (!(items.get(i) instanceof ObjectNode object)) {
                throw ApiException.invalid("messages[" + i + "]", "each message must be an object, got "
                        + Json.kind(items.get(i)) + ".");
            }
            messages.add(message(new Fields(object, prefix)));
        }
        return messages;
    }

    private static ChatMessage message(Fields m) {
        String role = m.string("role").orElseThrow(() -> m.invalid("role", "'" + m.param("role") + "' is required."));
        if (!ROLES.contains(role)) {
            throw m.invalid("role", "'" + m.param("role") + "' must be one of system, user, assistant; got '"
                    + GenerationOptionsParser.abbreviate(role) + "'.");
        }
        if (m.node("tool_calls").isPresent()) {
            throw m.invalid("tool_calls", "tool calls are not supported.");
        }
        String content = content(m, role);
        return new ChatMessage(role.equals("developer") ? "system" : role, content);
    }

    private static String content(Fields m, String role) {
        var node = m.node("content");
        if (node.isEmpty()) {
            if (role.equals("assistant")) {
                return "";
            }
            throw m.invalid("content", "'" + m.param("content") + "' is required.");
        }
        JsonNode content = node.get();
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw m.invalid("content", "'" + m.param("content") + "' must be a string or a list of text parts, got "
                    + Json.kind(content) + ".");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            String partName = "content[" + i + "]";
            if (!(content.get(i) instanceof ObjectNode part)) {
                throw m.invalid(partName, "each content part must be an object.");
            }
            Fields p = new Fields(part, m.param(partName) + ".");
            String type = p.string("type").orElseThrow(() -> p.invalid("type", "'" + p.param("type") + "' is required."));
            if (!type.equals("text")) {
                throw p.invalid("type", "only text content parts are supported, got '"
                        + GenerationOptionsParser.abbreviate(type) + "'.");
            }
            text.append(p.string("text").orElseThrow(() -> p.invalid("text", "'" + p.param("text") + "' is required.")));
        }
        return text.toString();
    }

    private static void rejectUnsupported(Fields f) {
        f.array("tools").filter(t -> !t.isEmpty()).ifPresent(t -> {
            throw f.invalid("tools", "tools are not supported.");
        });
        f.object("response_format").ifPresent(format -> {
            String type = new Fields(format, "response_format.").string("type").orElse("text");
            if (!type.equals("text")) {
                throw f.invalid("response_format", "response_format '" + GenerationOptionsParser.abbreviate(type)
                        + "' is not supported; only 'text'.");
            }
        });
    }
}
