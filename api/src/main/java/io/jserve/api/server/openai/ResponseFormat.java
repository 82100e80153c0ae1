package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.generation.ChoiceDelta;
import io.jserve.api.server.generation.Usage;

import java.util.List;

/**
 * How one endpoint shapes its output: the whole response object, and the chunks of a stream. Chat and
 * completions differ only here; running the generation and writing the bytes is shared.
 */
public interface ResponseFormat {

    /** The non-streamed response. */
    ObjectNode whole(List<ChoiceAccumulator> choices, Usage usage);

    /** Chunks sent before any token (chat's {@code role} deltas); may be empty. */
    List<ObjectNode> openingChunks(int choiceCount);

    /** The chunks for one delta (none when it shows nothing). */
    List<ObjectNode> chunks(ChoiceDelta delta);

    /** The closing usage chunk ({@code choices: []}), sent only with {@code include_usage}. */
    ObjectNode usageChunk(Usage usage);
}
