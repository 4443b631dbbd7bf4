package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** A model that answers chat completions, whole or streamed, and one that turns text into embeddings. */
public interface ChatProvider {

    /** The configured name, e.g. {@code openai}, {@code groq}, {@code offline}. */
    String name();

    /** The provider's own name for the model it serves. */
    String model();

    /** The whole answer. Does not block. */
    Uni<Completion> complete(ChatCall call);

    /**
     * The answer as it is generated: {@link ChatChunk.Text} pieces, then one {@link ChatChunk.Done}. Does not
     * block. A stream that ends without a finish reason fails: an answer cut short is never taken for a whole one.
     */
    Multi<ChatChunk> stream(ChatCall call);

    /**
     * The embeddings of an OpenAI embeddings request ({@code document}, its {@code input} checked): the answer is the
     * provider's own in {@link Completion#answer()}, its input tokens in {@link Completion#inputTokens()}. Does not
     * block.
     */
    Uni<Completion> embed(ObjectNode document);

    /** Whether it serves embeddings at all: an embedding route leaves out one that does not. */
    default boolean embeds() {
        return true;
    }
}
