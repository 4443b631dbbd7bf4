package dev.tollgate.gate;

import java.time.Duration;

/**
 * A rate limit: at most {@code limit} units per {@code window} for one subject, e.g. 60 requests per minute for a
 * user, 10 per second as a burst, 20,000 tokens per minute for an API key. A fresh subject may use its whole
 * allowance at once; after that units are admitted one per {@code window / limit} (GCRA). A request takes
 * {@code cost} units: one for a rule on requests, its worst-case tokens for a rule on tokens (as OpenAI counts a
 * request against a tokens-per-minute limit before it is answered).
 *
 * @param name what the limit is called in headers, problems and metrics, e.g. {@code user-minute}
 * @param subject whom it counts, e.g. {@code user:<id>}, {@code key:<id>} or {@code tenant}
 */
public record RateRule(String name, String subject, long limit, Duration window, Unit unit, long cost) {

    /** What a rule counts. */
    public enum Unit {
        REQUESTS,
        TOKENS;

        /** As messages and OpenAI's error type name it: {@code requests}, {@code tokens}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public RateRule {
        if (limit < 1 || window.isNegative() || window.isZero() || cost < 0) {
            throw new IllegalArgumentException("a rate rule needs a positive limit and window: " + name);
        }
    }

    /** A rule on requests: each request costs one. */
    public RateRule(String name, String subject, long limit, Duration window) {
        this(name, subject, limit, window, Unit.REQUESTS, 1);
    }

    /** A rule on tokens: this request costs {@code tokens}. */
    public static RateRule tokens(String name, String subject, long limit, Duration window, long tokens) {
        return new RateRule(name, subject, limit, window, Unit.TOKENS, tokens);
    }

    /** Whether this request alone takes more than the rule allows in a whole window: no wait admits it. */
    public boolean neverFits() {
        return cost > limit;
    }

    /**
     * Where the rule counts: its unit, window and subject, not its name, so that rules of one subject share their
     * count (a key's own requests and those of the keys it created, counted against it as {@code managing-key-minute}).
     */
    public String bucket() {
        return unit.label() + ":" + window.toMillis() + ":" + subject;
    }

    /** Milliseconds per unit (fractional for rules of many units per window). */
    double intervalMillis() {
        return (double) window.toMillis() / limit;
    }
}
