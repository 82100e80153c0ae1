package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.generation.ChoiceDelta;
import io.jserve.api.server.generation.Usage;

import java.util.List;

/**
 * {@code text_completion}, streamed or whole: the same object either way ("unlike the chat endpoint"), text in
 * {@code choices[].text}. The last chunk of a choice carries its remaining text and its {@code finish_reason};
 * with {@code include_usage} a final {@code choices: []} chunk has the counts.
 */
public final class CompletionFormat implements ResponseFormat {
    private final ResponseMeta meta;
    private final LogprobsJson logprobs;
    private final boolean includeUsage;
    private final boolean wantsLogprobs;

    /**
     * @param meta          the response's meta with {@code object = text_completion}
     * @param logprobs      formats logprobs; used only when {@code wantsLogprobs}
     * @param includeUsage  {@code stream_options.include_usage}
     * @param wantsLogprobs whether the request asked for logprobs
     */
    public CompletionFormat(ResponseMeta meta, LogprobsJson logprobs, boolean includeUsage, boolean wantsLogprobs) {
        this.meta = meta;
        this.logprobs = logprobs;
        this.includeUsage = includeUsage;
        this.wantsLogprobs = wantsLogprobs;
    }

    @Override
    public ObjectNode whole(List<ChoiceAccumulator> choices, Usage usage) {
        ObjectNode root = meta.start();
        ArrayNode array = root.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            ChoiceAccumulator choice = choices.get(i);
            choice(array.addObject(), i, choice.text(),
                    wantsLogprobs ? logprobs.completion(choice.tokens(), choice.offsets()) : null,
                    choice.finishReason());
        }
        root.set("usage", usage.toJson());
        return root;
    }

    @Override
    public List<ObjectNode> openingChunks(int choiceCount) {
        return List.of();
    }

    @Override
    public List<ObjectNode> chunks(ChoiceDelta delta) {
        if (delta.text().isEmpty() && delta.tokens().isEmpty() && !delta.isFinal()) {
            return List.of();
        }
        ObjectNode root = meta.start();
        ObjectNode logprobsNode = delta.tokens().isEmpty() ? null
                : logprobs.completion(delta.tokens(), delta.tokens().stream().map(t -> delta.textOffset()).toList());
        choice(root.putArray("choices").addObject(), delta.index(), delta.text(), logprobsNode, delta.finishReason());
        if (includeUsage) {
            root.putNull("usage");
        }
        return List.of(root);
    }

    private static void choice(ObjectNode node, int index, String text, ObjectNode logprobsNode, String finishReason) {
        node.put("index", index);
        node.put("text", text);
        if (logprobsNode == null) {
            node.putNull("logprobs");
        } else {
            node.set("logprobs", logprobsNode);
        }
        node.put("finish_reason", finishReason);
    }

    @Override
    public ObjectNode usageChunk(Usage usage) {
        ObjectNode root = meta.start();
        root.putArray("choices");
        root.set("usage", usage.toJson());
        return root;
    }
}
