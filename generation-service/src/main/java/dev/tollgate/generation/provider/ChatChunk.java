package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a streaming provider sends: pieces of the answer as they come, then the whole answer with its usage. */
public sealed interface ChatChunk {

    /**
     * A piece of the answer.
     *
     * @param text its text (of every choice), what is billed if the stream breaks
     * @param chunk the provider's {@code chat.completion.chunk} as it sent it (tool-call deltas, refusal, logprobs
     *        and all), or null from the built-in model
     * @param usage what the provider has reported using so far, in OpenAI's form (Anthropic reports the prompt's
     *        tokens when its stream starts), or null: what a stream that breaks is billed for, where it is more
     *        than the estimate
     */
    record Text(String text, ObjectNode chunk, JsonNode usage) implements ChatChunk {

        public Text(String text, ObjectNode chunk) {
            this(text, chunk, null);
        }

        public Text(String text) {
            this(text, null, null);
        }
    }

    /** The end of a complete answer. */
    record Done(Completion completion) implements ChatChunk {
    }
}
