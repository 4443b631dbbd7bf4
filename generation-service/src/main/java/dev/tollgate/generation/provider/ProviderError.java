package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * What a provider said when it refused a call, read from OpenAI's error envelope in its answer
 * ({@code {"error": {"message", "type", "param", "code"}}}), so that a refusal such as
 * {@code context_length_exceeded} reaches the caller with the provider's own code.
 */
public record ProviderError(String message, String code, String param) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The error envelope in {@code failure}'s message or its causes', if one of them carries one. */
    public static Optional<ProviderError> of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && message.strip().startsWith("{")) {
                try {
                    JsonNode error = JSON.readTree(message).path("error");
                    if (error.isObject()) {
                        return Optional.of(new ProviderError(text(error, "message"), text(error, "code"),
                                text(error, "param")));
                    }
                } catch (java.io.IOException notJson) {
                    // a message that only looks like JSON: look further down
                }
            }
        }
        return Optional.empty();
    }

    private static String text(JsonNode error, String field) {
        JsonNode value = error.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
