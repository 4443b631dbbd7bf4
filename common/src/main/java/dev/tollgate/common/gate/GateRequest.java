package dev.tollgate.common.gate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One admission: who, which billing period, the worst-case units per metric with the period's limits, and the
 * rate limits that apply.
 *
 * @param period     the billing period's id, e.g. its start date; counters are kept per period
 * @param periodEnds when the period's quotas reset
 * @param amounts    metric to worst-case units to hold, e.g. {@code input_tokens + max_tokens}
 * @param limits     metric to the period's limit; a metric without a limit is counted, never refused
 */
public record GateRequest(UUID tenantId, UUID userId, String period, Instant periodEnds, Map<String, Long> amounts,
                          Map<String, Long> limits, List<RateRule> rates) {

    public GateRequest {
        amounts = Map.copyOf(amounts);
        limits = Map.copyOf(limits);
        rates = List.copyOf(rates);
    }
}
