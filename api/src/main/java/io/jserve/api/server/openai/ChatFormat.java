package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.generation.ChoiceDelta;
import io.jserve.api.server.generation.Usage;
import io.jserve.api.server.http.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code chat.completion} and {@code chat.completion.chunk}. A stream opens with a {@code role: assistant} delta
 * per choice, carries text in {@code delta.content}, and ends each choice with an empty delta and its
 * {@code finish_reason}. With {@code include_usage} every chunk has {@code "usage": null} and a last chunk with
 * {@code choices: []} has the counts, as OpenAI specifies.
 */
public final class ChatFormat implements ResponseFormat {
    private final ResponseMeta meta;
    private final ResponseMeta chunkMeta;
    private final LogprobsJson logprobs;
    private final boolean includeUsage;
    private final boolean wantsLogprobs;

    /**
     * @param meta          the response's meta with {@code object = chat.completion}
     * @param logprobs      formats logprobs; used only when {@code wantsLogprobs}
     * @param includeUsage  {@code stream_options.include_usage}
     * @param wantsLogprobs whether the request asked for logprobs
     */
    public ChatFormat(ResponseMeta meta, LogprobsJson logprobs, boolean includeUsage, boolean wantsLogprobs) {
        this.meta = meta;
        this.wantsLogprobs = wantsLogprobs;
        this.chunkMeta = meta.withObject("chat.completion.chunk");
        this.logprobs = logprobs;
        this.includeUsage = includeUsage;
    }

    @Override
    public ObjectNode whole(List<ChoiceAccumulator> choices, Usage usage) {
        ObjectNode root = meta.start();
        ArrayNode array = root.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            ChoiceAccumulator choice = choices.get(i);
            ObjectNode node = array.addObject();
            node.put("index", i);
            ObjectNode message = node.putObject("message");
            message.put("role", "assistant");
            message.put("content", choice.text());
            putLogprobs(node, wantsLogprobs ? logprobs.chat(choice.tokens()) : null);
            node.put("finish_reason", choice.finishReason());
        }
        root.set("usage", usage.toJson());
        return root;
    }

    @Override
    public List<ObjectNode> openingChunks(int choiceCount) {
        List<ObjectNode> chunks = new ArrayList<>(choiceCount);
        for (int i = 0; i < choiceCount; i++) {
            ObjectNode delta = Json.object();
            delta.put("role", "assistant");
            delta.put("content", "");
            chunks.add(chunk(i, delta, null, null));
        }
        return chunks;
    }

    @Override
    public List<ObjectNode> chunks(ChoiceDelta delta) {
        List<ObjectNode> chunks = new ArrayList<>(2);
        if (!delta.text().isEmpty() || !delta.tokens().isEmpty()) {
            ObjectNode content = Json.object();
            content.put("content", delta.text());
            chunks.add(chunk(delta.index(), content,
                    delta.tokens().isEmpty() ? null : logprobs.chat(delta.tokens()), null));
        }
        if (delta.isFinal()) {
            chunks.add(chunk(delta.index(), Json.object(), null, delta.finishReason()));
        }
        return chunks;
    }

    private ObjectNode chunk(int index, ObjectNode delta, ObjectNode logprobsNode, String finishReason) {
        ObjectNode root = chunkMeta.start();
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        putLogprobs(choice, logprobsNode);
        choice.put("finish_reason", finishReason);
        if (includeUsage) {
            root.putNull("usage");
        }
        return root;
    }

    @Override
    public ObjectNode usageChunk(Usage usage) {
        ObjectNode root = chunkMeta.start();
        root.putArray("choices");
        root.set("usage", usage.toJson());
        return root;
    }

    private static void putLogprobs(ObjectNode choice, ObjectNode logprobsNode) {
        if (logprobsNode == null) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", logprobsNode);
        }
    }
}
