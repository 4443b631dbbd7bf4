package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * Erase this user's personal data now; with {@code tenantDeleted}, the tenant's data too (its sole owner left).
 *
 * @param deletionId the erasure request that every service's receipt names
 */
public record AccountDeleted(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID deletionId,
        UUID userId,
        boolean tenantDeleted) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static AccountDeleted of(UUID tenantId, UUID deletionId, UUID userId, boolean tenantDeleted) {
        return new AccountDeleted(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, deletionId, userId,
                tenantDeleted);
    }
}
