package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A member's role in a tenant changed, or they left it ({@code role} null), so that every service stops trusting the
 * role an access token still carries (auth-service).
 */
public record MemberChanged(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID userId,
        String role) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static MemberChanged of(UUID tenantId, UUID userId, String role) {
        return new MemberChanged(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, userId, role);
    }
}
