package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code /v1/completions} body. {@code prompt} may be a string, a list of strings, a list of token ids or
 * a list of lists of token ids, as in OpenAI's API.
 */
public final class CompletionParser {
    /** Most prompts in one request. */
    public static final int MAX_PROMPTS = 256;

    private final GenerationOptionsParser options;
    private final int vocabSize;

    public CompletionParser(GenerationOptionsParser options, int vocabSize) {
        this.options = options;
        this.vocabSize = vocabSize;
    }

    public CompletionRequest parse(ObjectNode body) {
        Fields f = Fields.of(body);
        var model = f.string("model");
        List<PromptInput> prompts = prompts(f);
        GenerationOptions generation = options.completion(f);
        if ((long) prompts.size() * generation.n() > GenerationOptionsParser.MAX_N) {
            throw f.invalid("n", "a request may ask for at most " + GenerationOptionsParser.MAX_N
                    + " choices in all (prompts x n).");
        }
        return new CompletionRequest(model, prompts, generation);
    }

    private List<PromptInput> prompts(Fields f) {
        JsonNode prompt = f.node("prompt").orElseThrow(() -> f.invalid("prompt", "'prompt' is required."));
        if (prompt.isTextual()) {
            return List.of(new PromptInput.Text(prompt.textValue()));
        }
        if (!prompt.isArray()) {
            throw f.invalid("prompt", "'prompt' must be a string, a list of strings, a list of token ids or a list "
                    + "of lists of token ids; got " + Json.kind(prompt) + ".");
        }
        if (prompt.isEmpty()) {
            throw f.invalid("prompt", "'prompt' must not be empty.");
        }
        if (prompt.get(0).isNumber()) {
            return List.of(new PromptInput.Tokens(tokenIds(f, prompt, "prompt")));
        }
        if (prompt.size() > MAX_PROMPTS) {
            throw f.invalid("prompt", "'prompt' has " + prompt.size() + " items; at most " + MAX_PROMPTS
                    + " are allowed.");
        }
        List<PromptInput> prompts = new ArrayList<>(prompt.size());
        boolean texts = prompt.get(0).isTextual();
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode item = prompt.get(i);
            String name = "prompt[" + i + "]";
            if (texts && item.isTextual()) {
                prompts.add(new PromptInput.Text(item.textValue()));
            } else if (!texts && item.isArray()) {
                prompts.add(new PromptInput.Tokens(tokenIds(f, item, name)));
            } else {
                throw f.invalid("prompt", "'prompt' must not mix strings and token lists; '" + name + "' is "
                        + Json.kind(item) + ".");
            }
        }
        return prompts;
    }

    private int[] tokenIds(Fields f, JsonNode array, String name) {
        if (array.isEmpty()) {
            throw f.invalid(name, "'" + name + "' must have at least one token id.");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) f.toLong(array.get(i), name + "[" + i + "]", 0, vocabSize - 1);
        }
        return ids;
    }
}
