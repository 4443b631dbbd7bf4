package dev.tollgate.generation.provider;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads a provider's {@code Retry-After} (seconds or an HTTP date) or {@code retry-after-ms} on a 429 or 503, which
 * langchain4j's OpenAI client drops, and fails the call with the pause it asked for ({@link ProviderRetryAfter}),
 * so the provider's guard waits that long before trying again. Applies to the providers' REST clients, the only
 * REST clients here.
 */
@Provider
public class RetryAfterFilter implements ClientResponseFilter {

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) throws IOException {
        int status = response.getStatus();
        if (status != 429 && status != 503) {
            return;
        }
        Duration pause = pause(response.getHeaderString("retry-after-ms"), response.getHeaderString("Retry-After"));
        if (pause == null) {
            return;
        }
        String body = "";
        if (response.hasEntity()) {
            try (InputStream in = response.getEntityStream()) {
                body = new String(in.readNBytes(2000), StandardCharsets.UTF_8);
            }
        }
        throw new ProviderRetryAfter(status, pause, body);
    }

    /** The pause asked for, or null when the headers name none that can be read. */
    static Duration pause(String millis, String retryAfter) {
        try {
            if (millis != null && !millis.isBlank()) {
                return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(millis.trim())));
            }
            if (retryAfter == null || retryAfter.isBlank()) {
                return null;
            }
            String value = retryAfter.trim();
            if (value.chars().allMatch(Character::isDigit)) {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            Duration until = Duration.between(Instant.now(),
                    ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }
}
