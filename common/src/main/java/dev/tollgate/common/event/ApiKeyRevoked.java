package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/** Drop this API key from every cache at once (auth-service). */
public record ApiKeyRevoked(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID apiKeyId,
        String prefix) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static ApiKeyRevoked of(UUID tenantId, UUID apiKeyId, String prefix) {
        return new ApiKeyRevoked(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, apiKeyId, prefix);
    }
}
