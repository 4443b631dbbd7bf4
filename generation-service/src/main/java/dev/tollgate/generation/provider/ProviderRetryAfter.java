package dev.tollgate.generation.provider;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A provider asked to be called again later (429 or 503 with {@code Retry-After} or {@code retry-after-ms}): the
 * pause it named, so that the provider's guard waits that long before trying again.
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

    /**
     * The pause asked for by {@code retry-after-ms} (milliseconds) or {@code Retry-After} (seconds or an HTTP
     * date), or null when the headers name none that can be read.
     */
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
