package dev.tollgate.auth.erasure;

import dev.tollgate.auth.tenant.Membership;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * What erasing a user would take with it, asked by account-service before it announces {@code account.deleted}:
 * the tenants the user belongs to, and those they alone own (deleted with them).
 */
@ApplicationScoped
public class ErasureScope {

    /** The user's tenants, and those of them that no one else owns. */
    public record Scope(UUID userId, List<UUID> tenants, List<UUID> soleOwnedTenants) {
    }

    public Uni<Scope> of(UUID userId) {
        return Panache.withSession(() -> Membership.<Membership> list("userId", userId)
                .chain(memberships -> Membership.<Membership> list("""
                        role = 'owner' and tenantId in (select m.tenantId from Membership m
                            where m.userId = ?1 and m.role = 'owner')""", userId)
                        .map(owners -> new Scope(userId,
                                memberships.stream().map(membership -> membership.tenantId).distinct().toList(),
                                memberships.stream()
                                        .filter(membership -> Membership.OWNER.equals(membership.role))
                                        .map(membership -> membership.tenantId)
                                        .filter(tenant -> owners.stream().noneMatch(owner -> owner.tenantId.equals(tenant)
                                                && !owner.userId.equals(userId)))
                                        .toList()))));
    }
}
