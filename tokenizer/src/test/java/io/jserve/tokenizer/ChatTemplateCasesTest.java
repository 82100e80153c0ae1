package io.jserve.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every render case in {@code shared/models/templates/*.json} (Python jinja2 with the Hugging Face
 * settings): exact string equality with {@code expected}, or the template's own error message.
 */
class ChatTemplateCasesTest {
    /** The clock the expected renders were made with (only strftime_now reads it). */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T12:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path templates() {
        Path dir = Path.of(System.getProperty("jserve.sharedModels", "../../shared/models"), "templates");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("template cases not found: " + dir.toAbsolutePath());
        }
        return dir;
    }

    static Stream<Path> families() throws IOException {
        try (Stream<Path> files = Files.list(templates())) {
            List<Path> json = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertEquals(11, json.size(), "template families");
            return json.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void rendersEveryCaseAsHuggingFaceDoes(Path family) throws IOException {
        JsonNode doc = JSON.readTree(family.toFile());
        ChatTemplate template = ChatTemplate.of(Files.readString(family.resolveSibling(doc.get("template_file").asText())),
                CLOCK);
        JsonNode cases = doc.get("cases");
        assertEquals(12, cases.size(), family + ": case count");
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            List<ChatMessage> messages = new ArrayList<>();
            c.get("messages").forEach(m -> messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText())));
            String bos = c.get("bos_token").isNull() ? null : c.get("bos_token").asText();
            String eos = c.get("eos_token").isNull() ? null : c.get("eos_token").asText();
            boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
            String name = c.get("name").asText();
            if (c.has("expected")) {
                String actual = template.render(messages, generationPrompt, bos, eos);
                if (!c.get("expected").asText().equals(actual)) {
                    failures.add(name + ": expected " + JSON.writeValueAsString(c.get("expected").asText())
                            + " but was " + JSON.writeValueAsString(actual));
                }
            } else {
                String message = c.get("expected_error").get("message").asText();
                ChatTemplateException e = assertThrows(ChatTemplateException.class,
                        () -> template.render(messages, generationPrompt, bos, eos), name);
                if (!message.equals(e.getMessage())) {
                    failures.add(name + ": expected error '" + message + "' but was '" + e.getMessage() + "'");
                }
            }
        }
        assertTrue(failures.isEmpty(), family.getFileName() + ":\n" + String.join("\n", failures));
    }
}
