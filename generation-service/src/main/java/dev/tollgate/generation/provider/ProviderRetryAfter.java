package dev.tollgate.generation.provider;

import java.time.Duration;

/**
 * A provider asked to be called again later (429 or 503 with {@code Retry-After} or {@code retry-after-ms}): the
 * pause it named, read from the response before langchain4j turns it into an exception without headers.
 */
public class ProviderRetryAfter extends RuntimeException {

    private final int status;
    private final Duration pause;

    public ProviderRetryAfter(int status, Duration pause, String body) {
        super("the provider answered " + status + " and asked for a pause of " + pause.toMillis() + " ms: " + body);
        this.status = status;
        this.pause = pause;
    }

    public int status() {
        return status;
    }

    public Duration pause() {
        return pause;
    }
}
