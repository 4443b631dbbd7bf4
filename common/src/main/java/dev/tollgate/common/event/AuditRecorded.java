package dev.tollgate.common.event;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A security-relevant action, for the tenant's audit log (account-service keeps it): a sign-in, an API key
 * created, rotated or revoked, a plan change, an export, an erasure.
 *
 * @param service the service where it happened, e.g. {@code auth}
 * @param action what happened, {@code <service>.<verb>} such as {@code auth.signed-in}
 * @param actor who did it: a user id, {@code service:<name>} or {@code stripe}
 * @param userId the user it concerns, if any
 * @param ip the client address, if known
 * @param details what else identifies it (key id, plan, method), without secrets
 */
public record AuditRecorded(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        String service,
        String action,
        String actor,
        UUID userId,
        String ip,
        Map<String, String> details) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;

    public AuditRecorded {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static AuditRecorded of(UUID tenantId, String service, String action, String actor, UUID userId, String ip,
            Map<String, String> details) {
        return new AuditRecorded(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, service, action, actor,
                userId, ip, details);
    }
}
