package dev.tollgate.auth.tenant;

import java.time.Instant;
import java.util.UUID;

/** A tenant as one of its members sees it, with that member's role. */
public record TenantView(UUID id, String name, boolean personal, String role, Instant createdAt) {

    static TenantView of(Tenant tenant, String role) {
        return new TenantView(tenant.id, tenant.name, tenant.personal, role, tenant.createdAt);
    }
}
