package dev.tollgate.common.gate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** What the gate answered. */
public sealed interface GateDecision {

    /** Admitted: the units are held; {@code remaining} per limited metric after holding them. */
    record Allowed(Reservation reservation, Map<String, Long> remaining, Instant resetsAt) implements GateDecision {
    }

    /** A rate limit refused the request; nothing was held. */
    record RateLimited(RateRule rule, Duration retryAfter) implements GateDecision {
    }

    /** The worst case does not fit in the period's quota; nothing was held. */
    record QuotaExceeded(String metric, long used, long limit, Instant resetsAt) implements GateDecision {
    }

    /** Redis could not be asked and the policy refuses quota decisions without it. */
    record Unavailable(String reason) implements GateDecision {
    }
}
