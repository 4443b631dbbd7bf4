package dev.tollgate.generation.provider;

/** A model that answers chat completions. Calls block; callers run them off the event loop. */
public interface ChatProvider {

    /** The configured name, e.g. {@code openai}, {@code groq}, {@code offline}. */
    String name();

    Completion complete(ChatCall call);
}
