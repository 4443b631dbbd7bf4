package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a provider said when it refused a request as invalid (400, 413, 422), read from OpenAI's error envelope in
 * its answer ({@code {"error": {"message", "type", "param", "code"}}}), so that a refusal such as
 * {@code context_length_exceeded} reaches the caller with the provider's own code. Only those statuses: what a
 * provider says about Tollgate's own account there (401, 403, 429, ...) is not the caller's business. The message
 * is cut to {@value #MOST_MESSAGE} characters, with anything shaped like a secret key left out.
 */
public record ProviderError(String message, String code, String param) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MOST_MESSAGE = 500;
    /** Keys as providers and Tollgate write them: {@code sk-...}, {@code sk-proj-...}, {@code gsk_...}, {@code tg_live_...}. */
    private static final Pattern SECRET = Pattern.compile("\\b(sk|gsk|xai|tg_live|pk|rk)[-_][A-Za-z0-9_-]{8,}");

    /** The error envelope in the answer that failed {@code failure}, if it carried one. */
    public static Optional<ProviderError> of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProviderHttpError http && !Set.of(400, 413, 422).contains(http.status())) {
                return Optional.empty();
            }
            if (cause instanceof ProviderHttpError http) {
                try {
                    JsonNode error = JSON.readTree(http.body()).path("error");
                    return error.isObject() ? Optional.of(from(error)) : Optional.empty();
                } catch (java.io.IOException notJson) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** OpenAI's error object {@code error}. */
    static ProviderError from(JsonNode error) {
        String message = text(error, "message");
        if (message != null) {
            message = SECRET.matcher(message).replaceAll("[redacted]");
            message = message.length() > MOST_MESSAGE ? message.substring(0, MOST_MESSAGE) + "..." : message;
        }
        return new ProviderError(message, text(error, "code"), text(error, "param"));
    }

    private static String text(JsonNode error, String field) {
        JsonNode value = error.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
