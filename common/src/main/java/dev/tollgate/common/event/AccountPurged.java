package dev.tollgate.common.event;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A service's receipt for an {@link AccountDeleted}: what it erased or pseudonymized.
 *
 * @param counts kind of record to how many were erased, e.g. {@code generations=12, feedback=3}
 */
public record AccountPurged(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID deletionId,
        UUID userId,
        String service,
        Map<String, Long> counts) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public AccountPurged {
        counts = Map.copyOf(counts);
    }

    public static AccountPurged of(AccountDeleted request, String service, Map<String, Long> counts) {
        return of(request.tenantId(), request.deletionId(), request.userId(), service, counts);
    }

    /** The receipt of deletion {@code deletionId} of {@code userId}, announced under {@code tenantId}. */
    public static AccountPurged of(UUID tenantId, UUID deletionId, UUID userId, String service,
            Map<String, Long> counts) {
        return new AccountPurged(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, deletionId, userId,
                service, counts);
    }
}
