package dev.tollgate.generation.provider;

/** A provider answered 200 with something that is not a chat completion (or chunk) as OpenAI defines it. */
public class MalformedAnswer extends RuntimeException {

    public MalformedAnswer(String message) {
        super(message);
    }
}
