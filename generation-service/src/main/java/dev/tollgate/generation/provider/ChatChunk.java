package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a streaming provider sends: pieces of the answer as they come, then the whole answer with its usage. */
public sealed interface ChatChunk {

    /**
     * A piece of the answer.
     *
     * @param text its text (of every choice), what is billed if the stream breaks
     * @param chunk the provider's {@code chat.completion.chunk} as it sent it (tool-call deltas, refusal, logprobs
     *        and all), or null from the built-in model
     */
    record Text(String text, ObjectNode chunk) implements ChatChunk {

        public Text(String text) {
            this(text, null);
        }
    }

    /** The end of a complete answer. */
    record Done(Completion completion) implements ChatChunk {
    }
}
