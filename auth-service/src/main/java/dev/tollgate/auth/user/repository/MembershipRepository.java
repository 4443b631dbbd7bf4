package dev.tollgate.auth.user.repository;

import dev.tollgate.auth.user.Membership;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class MembershipRepository implements PanacheRepositoryBase<Membership, Membership.Key> {

    /** The user's membership in the tenant, or null: a tenant the user does not belong to does not exist for them. */
    public Uni<Membership> find(UUID tenantId, UUID userId) {
        return find("tenantId = ?1 and userId = ?2", tenantId, userId).firstResult();
    }

    /** The tenant created for the user at first sign-in. */
    public Uni<Membership> findPersonal(UUID userId) {
        return find("userId = ?1 and tenantId in (select t.id from Tenant t where t.personal = true) and role = ?2",
                userId, Membership.OWNER).firstResult();
    }
}
