package dev.tollgate.auth.tenant;

import dev.tollgate.auth.tenant.repository.MembershipRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * The tenants a user runs (owns or administers) as the memberships say now: billing-service shows a user's export
 * the billing of these tenants and of no other.
 */
@ApplicationScoped
public class TenantsRun {

    /** A user and the tenants they own or administer. */
    public record ByUser(UUID userId, List<UUID> tenants) {
    }

    private final MembershipRepository memberships;

    public TenantsRun(MembershipRepository memberships) {
        this.memberships = memberships;
    }

    @WithSession
    public Uni<ByUser> by(UUID userId) {
        return memberships.listByUser(userId).map(all -> new ByUser(userId, all.stream()
                .filter(membership -> TenantAccess.isManager(membership.role)).map(membership -> membership.tenantId)
                .distinct().toList()));
    }
}
