package dev.tollgate.metering.usage.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The tenant's usage in its current billing period.
 *
 * @param metrics per metric: the tenant's use against its quota
 * @param user the user the {@code userUnits} are of (the caller, or the one an admin asked for)
 */
public record UsageView(UUID tenantId, String plan, Instant periodStart, Instant periodEnd, List<MetricUsage> metrics,
        UUID user, Map<String, Long> userUnits) {

    /**
     * One metric: {@code used} by the whole tenant; {@code limit}, {@code remaining} and {@code percent} are null
     * when the plan sets no quota for it.
     */
    public record MetricUsage(String metric, long used, Long limit, Long remaining, Double percent, Instant resetsAt) {
    }
}
