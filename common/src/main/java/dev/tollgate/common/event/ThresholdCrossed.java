package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's recorded usage of a metric crossed a share of its quota (80 or 100 percent) in a billing period
 * (metering-service); sent once per tenant, period, metric and threshold.
 *
 * @param percent the threshold crossed: 80 or 100
 */
public record ThresholdCrossed(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        String plan,
        String metric,
        int percent,
        long used,
        long limit,
        Instant periodStart,
        Instant periodEnd) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static ThresholdCrossed of(UUID tenantId, String plan, String metric, int percent, long used, long limit,
            Instant periodStart, Instant periodEnd) {
        return new ThresholdCrossed(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, plan, metric, percent,
                used, limit, periodStart, periodEnd);
    }
}
