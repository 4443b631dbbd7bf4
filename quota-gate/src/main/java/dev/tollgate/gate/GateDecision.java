package dev.tollgate.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What the gate answered. */
public sealed interface GateDecision {

    /**
     * Admitted: the units are held; {@code remaining} per limited metric after holding them; {@code rate} the
     * rate rule with the fewest requests left (null when no rule applied or Redis could not be asked).
     */
    record Allowed(Reservation reservation, Map<String, Long> remaining, Instant resetsAt, RateStatus rate)
            implements
                GateDecision {
    }

    /** A rate limit refused the request; nothing was held. */
    record RateLimited(RateRule rule, Duration retryAfter) implements GateDecision {
    }

    /**
     * The worst case does not fit in the period's quota; nothing was held.
     *
     * @param apiKeyId the API key whose own budget refused it, or null: the tenant's quota did
     */
    record QuotaExceeded(String metric, long used, long limit, Instant resetsAt, UUID apiKeyId)
            implements
                GateDecision {

        public QuotaExceeded(String metric, long used, long limit, Instant resetsAt) {
            this(metric, used, limit, resetsAt, null);
        }
    }

    /** Redis could not be asked and the policy refuses quota decisions without it. */
    record Unavailable(String reason) implements GateDecision {
    }

    /** How much of a rate rule is left: requests that may follow at once, and when the rule is full again. */
    record RateStatus(RateRule rule, long remaining, Duration resetAfter) {
    }
}
