package dev.tollgate.auth.tenant;

import io.quarkus.hibernate.reactive.panache.Panache;
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

    public Uni<ByUser> by(UUID userId) {
        return Panache.withSession(() -> Membership.<Membership> list(
                "userId = ?1 and role in ?2 order by createdAt", userId, List.of(Membership.OWNER, Membership.ADMIN)))
                .map(memberships -> new ByUser(userId, memberships.stream().map(m -> m.tenantId).distinct().toList()));
    }
}
