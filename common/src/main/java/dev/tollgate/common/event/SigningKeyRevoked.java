package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * An operator revoked one of auth-service's token signing keys: every token it signed is refused from now on, by
 * every service (auth-service). Not a tenant's event: its key is the nil UUID, the platform's.
 */
public record SigningKeyRevoked(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        String kid) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;
    /** The tenant id of events about the platform as a whole. */
    public static final UUID PLATFORM = new UUID(0, 0);

    public static SigningKeyRevoked of(String kid) {
        return new SigningKeyRevoked(UUID.randomUUID(), Instant.now(), PLATFORM, SCHEMA_VERSION, kid);
    }
}
