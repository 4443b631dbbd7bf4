package dev.tollgate.metering.usage;

import dev.tollgate.common.error.Problems;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How {@code GET /usage/history} groups usage: by day (UTC), by model, by user, by API key ({@code key}; calls made
 * with a session fall under none) or by end user ({@code end_user}, the request's own {@code user}; none when it
 * named none).
 */
public enum Grouping {
    DAY,
    MODEL,
    USER,
    KEY,
    END_USER;

    /** Reads a {@code groupBy} value; an unknown one is answered 400 naming the ones there are. */
    public static Grouping parse(String value) {
        if (value == null || value.isBlank()) {
            return DAY;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest("invalid-parameter", "Invalid Parameter", "groupBy must be one of "
                    + Arrays.stream(values()).map(g -> g.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + ", not '" + value + "'");
        }
    }
}
