package dev.tollgate.gate;

import java.time.Duration;

/**
 * A rate limit: at most {@code limit} requests per {@code window} for one subject, e.g. 60 per minute for a
 * user, 10 per second as a burst. A fresh subject may use its whole allowance at once; after that requests are
 * admitted one per {@code window / limit} (GCRA).
 *
 * @param name what the limit is called in headers and metrics, e.g. {@code user-minute}
 * @param subject whom it counts, e.g. {@code user:<id>} or {@code tenant}
 */
public record RateRule(String name, String subject, long limit, Duration window) {

    public RateRule {
        if (limit < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a rate rule needs a positive limit and window: " + name);
        }
    }

    long intervalMillis() {
        return Math.max(1, window.toMillis() / limit);
    }

    long toleranceMillis() {
        return window.toMillis() - intervalMillis();
    }
}
