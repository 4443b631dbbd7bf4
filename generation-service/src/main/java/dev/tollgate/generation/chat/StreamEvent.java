package dev.tollgate.generation.chat;

import dev.tollgate.generation.provider.Completion;

/** What a streamed chat sends its caller: pieces of the answer, then either the end or the reason it broke. */
public sealed interface StreamEvent {

    /** A piece of the answer. */
    record Piece(String text) implements StreamEvent {
    }

    /** The answer is whole and recorded. */
    record Finished(Completion completion) implements StreamEvent {
    }

    /**
     * The answer broke off; what was sent is recorded and billed.
     *
     * @param code a stable name, e.g. {@code stream-interrupted}
     */
    record Failed(String code, String message) implements StreamEvent {
    }
}
