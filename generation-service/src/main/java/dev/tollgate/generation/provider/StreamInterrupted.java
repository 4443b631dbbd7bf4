package dev.tollgate.generation.provider;

/**
 * A stream that failed after part of the answer had reached the caller: it cannot be retried or handed to
 * another provider, and it counts against the provider that broke it.
 */
public class StreamInterrupted extends RuntimeException {

    public StreamInterrupted(String message, Throwable cause) {
        super(message, cause);
    }
}
