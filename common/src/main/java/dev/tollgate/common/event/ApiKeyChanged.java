package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * An API key's controls or expiry changed (auth-service): whoever keeps what auth-service said of the key asks
 * again. The key itself goes on working.
 */
public record ApiKeyChanged(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID apiKeyId,
        String prefix) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public static ApiKeyChanged of(UUID tenantId, UUID apiKeyId, String prefix) {
        return new ApiKeyChanged(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, apiKeyId, prefix);
    }
}
