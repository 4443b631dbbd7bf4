package dev.tollgate.generation.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.provider.Completion;

/** What a streamed chat sends its caller: pieces of the answer, then either the end or the reason it broke. */
public sealed interface StreamEvent {

    /**
     * A piece of the answer: its text, and the provider's chunk as it sent it (null from the built-in model, whose
     * chunks the gateway writes).
     */
    record Piece(String text, ObjectNode chunk) implements StreamEvent {
    }

    /** The answer is whole and recorded. */
    record Finished(Completion completion) implements StreamEvent {
    }

    /**
     * The answer broke off; what was sent is recorded and billed.
     *
     * @param code a stable name, e.g. {@code stream_interrupted}
     */
    record Failed(String code, String message) implements StreamEvent {
    }
}
