package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/** A tenant's plan, status or entitlements changed (billing-service). */
public record SubscriptionChanged(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        String plan,
        String status,
        Instant currentPeriodStart,
        Instant currentPeriodEnd,
        Entitlements entitlements) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static SubscriptionChanged of(UUID tenantId, String plan, String status, Instant periodStart,
            Instant periodEnd, Entitlements entitlements) {
        return new SubscriptionChanged(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, plan, status,
                periodStart, periodEnd, entitlements);
    }
}
