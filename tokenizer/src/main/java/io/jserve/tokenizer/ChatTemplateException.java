package io.jserve.tokenizer;

/**
 * A chat template could not be parsed, or refused to render: for a template's own
 * {@code raise_exception(msg)} the message is exactly {@code msg} (e.g. "Conversation roles must
 * alternate user/assistant/user/assistant/...").
 */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
