package dev.tollgate.generation.provider;

/** What a streaming provider sends: pieces of the answer as they come, then the whole answer with its usage. */
public sealed interface ChatChunk {

    /** A piece of the answer's text. */
    record Text(String text) implements ChatChunk {
    }

    /** The end of a complete answer. */
    record Done(Completion completion) implements ChatChunk {
    }
}
