package io.jserve.api.server;

import io.jserve.api.server.generation.PreparedPrompt;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.openai.ChatCompletionParser;
import io.jserve.api.server.openai.ChatCompletionRequest;
import io.jserve.api.server.openai.CompletionParser;
import io.jserve.api.server.openai.CompletionRequest;
import io.jserve.api.server.openai.GenerationOptions;
import io.jserve.api.server.openai.GenerationOptionsParser;
import io.jserve.api.server.openai.LogprobsJson;
import io.jserve.api.server.openai.PromptInput;
import io.jserve.engine.Engine;
import io.jserve.tokenizer.ChatMessage;
import io.jserve.tokenizer.ChatTemplate;
import io.jserve.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The loaded model as the API sees it: its name, tokenizer, chat template and context limit, and the parsers that
 * depend on its vocabulary. Turns validated requests into {@link PreparedPrompt}s, refusing any that cannot fit
 * the context (or the whole KV pool) with the exact 400 OpenAI gives.
 */
public final class ModelService {
    private final Engine engine;
    private final String servedName;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final int maxModelLen;
    private final long createdSeconds = System.currentTimeMillis() / 1000;
    private final ChatCompletionParser chatParser;
    private final CompletionParser completionParser;
    private final LogprobsJson logprobs;

    /**
     * @param engine       the started engine
     * @param servedName   the name clients must pass as {@code model}
     * @param chatTemplate the template to render chat prompts with
     * @param kvCapacity   tokens the whole KV pool holds; no sequence may be longer
     */
    public ModelService(Engine engine, String servedName, ChatTemplate chatTemplate, int kvCapacity) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.servedName = Objects.requireNonNull(servedName, "servedName");
        this.chatTemplate = Objects.requireNonNull(chatTemplate, "chatTemplate");
        this.tokenizer = engine.tokenizer();
        this.maxModelLen = Math.min(engine.model().maxModelLen(), kvCapacity);
        GenerationOptionsParser options = new GenerationOptionsParser(tokenizer.vocabSize());
        this.chatParser = new ChatCompletionParser(options);
        this.completionParser = new CompletionParser(options, tokenizer.vocabSize());
        this.logprobs = new LogprobsJson(tokenizer);
    }

    public Engine engine() {
        return engine;
    }

    public String servedName() {
        return servedName;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Longest sequence (prompt + output) this server accepts. */
    public int maxModelLen() {
        return maxModelLen;
    }

    public long createdSeconds() {
        return createdSeconds;
    }

    public ChatCompletionParser chatParser() {
        return chatParser;
    }

    public CompletionParser completionParser() {
        return completionParser;
    }

    public LogprobsJson logprobs() {
        return logprobs;
    }

    /** @throws ApiException 404 when the client names a model this server does not serve */
    public void checkModel(Optional<String> model) {
        if (model.isPresent() && !model.get().equals(servedName)) {
            throw ApiException.modelNotFound(model.get());
        }
    }

    /** The chat prompt's tokens; chat's {@code max_tokens} defaults to the rest of the context. */
    public PreparedPrompt prepare(ChatCompletionRequest request) {
        int[] ids = chatTokens(request.messages(), true);
        return new PreparedPrompt(ids, maxTokens(ids.length, request.options(), maxModelLen - ids.length, "messages"));
    }

    /** Every prompt's tokens; completions' {@code max_tokens} defaults to 16. */
    public List<PreparedPrompt> prepare(CompletionRequest request) {
        List<PreparedPrompt> prompts = new ArrayList<>(request.prompts().size());
        for (PromptInput prompt : request.prompts()) {
            int[] ids = switch (prompt) {
                case PromptInput.Text text -> tokenizer.encode(text.text(), true, true);
                case PromptInput.Tokens tokens -> tokens.ids();
            };
            if (ids.length == 0) {
                throw ApiException.invalid("prompt", "The prompt is empty after tokenization.");
            }
            prompts.add(new PreparedPrompt(ids, maxTokens(ids.length, request.options(), 16, "prompt")));
        }
        return prompts;
    }

    /**
     * Renders messages with the chat template and tokenizes the result. BOS is added only when the model wants it
     * and the template did not already write it.
     */
    public int[] chatTokens(List<ChatMessage> messages, boolean addGenerationPrompt) {
        String bos = tokenizer.bosId() >= 0 ? tokenizer.piece(tokenizer.bosId()) : "";
        String eos = tokenizer.eosId() >= 0 ? tokenizer.piece(tokenizer.eosId()) : "";
        String text;
        try {
            text = chatTemplate.render(messages, addGenerationPrompt, bos, eos);
        } catch (RuntimeException e) {
            throw ApiException.invalid("messages", "The chat template refused the messages: " + e.getMessage());
        }
        boolean addBos = tokenizer.addBos() && (bos.isEmpty() || !text.startsWith(bos));
        int[] ids = tokenizer.encode(text, addBos, true);
        if (ids.length == 0) {
            throw ApiException.invalid("messages", "The rendered chat prompt is empty.");
        }
        return ids;
    }

    private int maxTokens(int promptLength, GenerationOptions options, int defaultMaxTokens, String param) {
        if (options.maxTokens().isEmpty() && promptLength >= maxModelLen) {
            throw ApiException.contextLengthExceeded(param, ("This model's maximum context length is %d tokens. "
                    + "However, your prompt has %d tokens. Please reduce the length of the prompt.")
                    .formatted(maxModelLen, promptLength));
        }
        int maxTokens = options.maxTokens().orElse(defaultMaxTokens);
        if ((long) promptLength + maxTokens > maxModelLen) {
            throw ApiException.contextLengthExceeded(param, ("This model's maximum context length is %d tokens. "
                    + "However, you requested %d tokens (%d in the prompt, %d for the completion). Please reduce "
                    + "the length of the prompt or of max_tokens.").formatted(maxModelLen,
                    (long) promptLength + maxTokens, promptLength, maxTokens));
        }
        if (options.minTokens() > maxTokens) {
            throw ApiException.invalid("min_tokens", "'min_tokens' (" + options.minTokens()
                    + ") must not exceed max_tokens (" + maxTokens + ").");
        }
        return maxTokens;
    }
}
