package dev.tollgate.generation.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * What kind of failure a provider call ended in, from the provider's HTTP status and the HTTP client's errors:
 * whether trying the same provider again may help, and whether it says something about the provider's health.
 */
public enum ProviderFailure {
    /** 429: the provider is busy; worth a retry after a pause. */
    RATE_LIMITED(true, true),
    /** The provider asked for a longer pause than the gateway waits: not retried, the route moves on. */
    BUSY(false, true),
    /** 5xx: the provider failed; worth a retry. */
    SERVER_ERROR(true, true),
    /** No answer in time (a read timeout, the guard's timeout, HTTP 408); worth a retry. */
    TIMEOUT(true, true),
    /** The connection failed or broke; worth a retry. */
    CONNECTION(true, true),
    /** The provider answered with something that is not a chat completion; retrying gets the same. */
    MALFORMED_RESPONSE(false, true),
    /** 401/403/404: the key or the model is wrong here; retrying gets the same. */
    MISCONFIGURED(false, true),
    /**
     * 400/422: the provider refuses this request, or it carries a field the provider's translation cannot honour
     * ({@link UnsupportedParameter}); retrying gets the same, and it is not the provider's fault.
     */
    REJECTED_REQUEST(false, false),
    /** A stream broke after part of the answer was sent: it cannot be asked again, and the provider broke it. */
    STREAM_INTERRUPTED(false, true),
    /** The provider's circuit breaker is open: it was not called. */
    CIRCUIT_OPEN(false, false),
    /** The provider runs as many calls as it may, with as many waiting: this one was not made. */
    SATURATED(false, false),
    /** Anything else. */
    OTHER(false, true);

    private final boolean retryable;
    private final boolean countsAgainstProvider;

    ProviderFailure(boolean retryable, boolean countsAgainstProvider) {
        this.retryable = retryable;
        this.countsAgainstProvider = countsAgainstProvider;
    }

    /** Whether the same provider is worth asking again. */
    public boolean retryable() {
        return retryable;
    }

    /** Whether the failure counts towards opening the provider's circuit breaker. */
    public boolean countsAgainstProvider() {
        return countsAgainstProvider;
    }

    public static ProviderFailure of(Throwable failure) {
        if (failure instanceof StreamInterrupted) {
            return STREAM_INTERRUPTED;
        }
        if (failure instanceof ProviderBusy) {
            return BUSY;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnsupportedParameter) {
                return REJECTED_REQUEST;
            }
            if (cause instanceof CircuitBreakerOpenException) {
                return CIRCUIT_OPEN;
            }
            if (cause instanceof BulkheadException) {
                return SATURATED;
            }
            if (cause instanceof ProviderRetryAfter retryAfter) {
                return retryAfter.status() == 429 ? RATE_LIMITED : SERVER_ERROR;
            }
            if (cause instanceof ProviderHttpError http) {
                return ofStatus(http.status());
            }
            if (cause instanceof TimeoutException
                    || cause instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
                return TIMEOUT;
            }
            if (cause instanceof MalformedAnswer || cause instanceof JsonProcessingException) {
                return MALFORMED_RESPONSE;
            }
            if (cause instanceof ConnectException || cause instanceof SocketException) {
                return CONNECTION;
            }
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("timeout") || message.contains("timed out")) {
                return TIMEOUT;
            }
            if (message.contains("connection") && (message.contains("refused") || message.contains("reset")
                    || message.contains("closed"))) {
                return CONNECTION;
            }
        }
        return OTHER;
    }

    /**
     * An error status: 429 busy, 408 slow, 401/402/403/404 wrong key, no credit or wrong model here, other 4xx a
     * refused request.
     */
    static ProviderFailure ofStatus(int status) {
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status == 408) {
            return TIMEOUT;
        }
        if (status == 401 || status == 402 || status == 403 || status == 404) {
            return MISCONFIGURED;
        }
        return status >= 500 ? SERVER_ERROR : status >= 400 ? REJECTED_REQUEST : OTHER;
    }

    /** The pause the provider asked for before the next call (its {@code Retry-After}), if it named one. */
    public static java.util.Optional<java.time.Duration> pauseAskedFor(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProviderRetryAfter retryAfter) {
                return java.util.Optional.of(retryAfter.pause());
            }
        }
        return java.util.Optional.empty();
    }

    /** The wire-level name, for metrics and problem details. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
