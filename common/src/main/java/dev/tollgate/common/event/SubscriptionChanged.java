package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's plan, status or entitlements changed (billing-service). {@code version} counts the tenant's
 * announcements (1, 2, ...) in billing's transaction that makes the change, so a consumer applies the newest whatever
 * order the events arrive in and whatever the clocks of billing's replicas say; 0 comes from a producer that did not
 * count (it is ordered by {@code occurredAt} among its kind).
 */
public record SubscriptionChanged(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        String plan,
        String status,
        Instant currentPeriodStart,
        Instant currentPeriodEnd,
        Entitlements entitlements,
        long version) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static SubscriptionChanged of(UUID tenantId, String plan, String status, Instant periodStart,
            Instant periodEnd, Entitlements entitlements, long version) {
        return new SubscriptionChanged(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, plan, status,
                periodStart, periodEnd, entitlements, version);
    }
}
