package dev.tollgate.common.event;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Erase this user's personal data now, and every tenant of {@code tenantsDeleted} with everything in it (the
 * tenants the user alone owned when they asked, fixed then by auth-service). Keyed by {@code tenantId}, the tenant
 * the user asked from.
 *
 * <p>
 * Schema 2 added {@code tenantsDeleted} and {@code services}; an event of schema 1 has neither and names one tenant
 * at most ({@code tenantId} when {@code tenantDeleted}). {@link #erasedTenants()} reads both. A consumer of schema 1
 * reading schema 2 sees {@code tenantDeleted} as before and ignores the rest.
 *
 * @param deletionId the erasure request that every service's receipt names
 * @param tenantDeleted whether {@code tenantId} is among the tenants deleted
 * @param tenantsDeleted every tenant deleted with the user (schema 2; null in schema 1)
 * @param services the services asked to act, when the request is sent again to those that have not receipted
 *        it; null or empty: every service
 */
public record AccountDeleted(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID deletionId,
        UUID userId,
        boolean tenantDeleted,
        List<UUID> tenantsDeleted,
        List<String> services) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 2;

    public AccountDeleted {
        tenantsDeleted = tenantsDeleted == null ? null : List.copyOf(tenantsDeleted);
        services = services == null ? null : List.copyOf(services);
    }

    /** A request of the user asking from {@code tenantId}, deleting {@code tenantsDeleted} with them. */
    public static AccountDeleted of(UUID tenantId, UUID deletionId, UUID userId, List<UUID> tenantsDeleted) {
        return new AccountDeleted(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, deletionId, userId,
                tenantsDeleted.contains(tenantId), tenantsDeleted, null);
    }

    /** A request deleting at most the tenant the user asked from. */
    public static AccountDeleted of(UUID tenantId, UUID deletionId, UUID userId, boolean tenantDeleted) {
        return of(tenantId, deletionId, userId, tenantDeleted ? List.of(tenantId) : List.of());
    }

    /**
     * A request recorded before scopes were fixed, sent again to {@code only} those services as it was first sent:
     * it names no tenants, and auth-service deletes those the user alone owns when it applies it.
     */
    public static AccountDeleted unscoped(UUID tenantId, UUID deletionId, UUID userId, boolean tenantDeleted,
            List<String> only) {
        return new AccountDeleted(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, deletionId, userId,
                tenantDeleted, null, only);
    }

    /** The same request again, as a new event, for {@code only} those services. */
    public AccountDeleted resentTo(List<String> only) {
        return new AccountDeleted(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, deletionId, userId,
                tenantDeleted, erasedTenants(), only);
    }

    /** Every tenant deleted with the user, whatever the schema the event was written in. */
    public List<UUID> erasedTenants() {
        if (tenantsDeleted != null) {
            return tenantsDeleted;
        }
        return tenantDeleted ? List.of(tenantId) : List.of();
    }

    /** Whether {@code service} is asked to act on this event. */
    public boolean addressedTo(String service) {
        return services == null || services.isEmpty() || services.contains(service);
    }
}
