package io.jserve.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.ContextConfigurationIF.ErrorHandlingStrategyIF.TemplateErrorTypeHandlingStrategy;
import com.hubspot.jinjava.interpret.ErrorHandlingStrategy;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.Node;

import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's chat template ({@code tokenizer.chat_template}, Jinja) that turns messages into the
 * prompt text, rendered as Hugging Face transformers renders it. Parsed once; {@link #render} is
 * thread-safe. User text is never interpreted as template code.
 */
public final class ChatTemplate {
    /** The classic ChatML format, for models that ship no template. */
    public static final String CHATML = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private final Node root;
    private final Clock clock;

    private ChatTemplate(Node root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /** Parses a template. @throws ChatTemplateException if it does not parse */
    public static ChatTemplate of(String jinjaSource) {
        return of(jinjaSource, Clock.systemDefaultZone());
    }

    /** Parses a template whose {@code strftime_now} reads {@code clock} (for tests). */
    public static ChatTemplate of(String jinjaSource, Clock clock) {
        Objects.requireNonNull(jinjaSource, "jinjaSource");
        Objects.requireNonNull(clock, "clock");
        Jinjava jinjava = JinjaEnvironment.jinjava();
        JinjavaInterpreter parser = jinjava.newInterpreter();
        // token parsing reads the legacy overrides (strict whitespace control) from the current interpreter
        try (var current = JinjavaInterpreter.closeablePushCurrent(parser).get()) {
            Node root = current.value().parse(TemplateSourceRewriter.rewrite(jinjaSource));
            failOnFatal(parser.getErrors(), "the chat template does not parse");
            return new ChatTemplate(root, clock);
        }
    }

    /** The fallback for models without a template: ChatML. */
    public static ChatTemplate chatMl() {
        return of(CHATML);
    }

    /**
     * Renders the prompt.
     *
     * @param bosToken the BOS text as {@code bos_token}, or null to leave it undefined
     * @param eosToken the EOS text as {@code eos_token}, or null to leave it undefined
     * @throws ChatTemplateException when the template raises (its exact message) or fails
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        Objects.requireNonNull(messages, "messages");
        Jinjava jinjava = JinjaEnvironment.jinjava();
        JinjavaConfig config = jinjava.getGlobalConfig();
        Context context = new Context(jinjava.getGlobalContextCopy(), bindings(messages, addGenerationPrompt,
                bosToken, eosToken), config.getDisabled());
        context.setErrorHandlingStrategy(ErrorHandlingStrategy.of()
                .withFatalErrorStrategy(TemplateErrorTypeHandlingStrategy.THROW_EXCEPTION));
        JinjavaInterpreter interpreter = config.getInterpreterFactory().newInstance(jinjava, context, config);
        String output;
        TemplateFunctions.begin(clock);
        try (var current = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            output = current.value().render(root);
        } catch (RuntimeException e) {
            String message = TemplateFunctions.end();
            throw message != null ? new ChatTemplateException(message, e)
                    : new ChatTemplateException("the chat template failed: " + e.getMessage(), e);
        }
        String raised = TemplateFunctions.end();
        if (raised != null) {
            throw new ChatTemplateException(raised);
        }
        failOnFatal(interpreter.getErrors(), "the chat template failed");
        return output;
    }

    private static Map<String, Object> bindings(List<ChatMessage> messages, boolean addGenerationPrompt,
                                                String bosToken, String eosToken) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", messages.stream().map(m -> {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            return map;
        }).toList());
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            vars.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            vars.put("eos_token", eosToken);
        }
        // make "raise_exception is defined" true; a call still reaches the registered function
        vars.put("raise_exception", "raise_exception");
        vars.put("strftime_now", "strftime_now");
        return vars;
    }

    private static void failOnFatal(List<TemplateError> errors, String what) {
        for (TemplateError e : errors) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(what + ": " + e.getMessage());
            }
        }
    }
}
