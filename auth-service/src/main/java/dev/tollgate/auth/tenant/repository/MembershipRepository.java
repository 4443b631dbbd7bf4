package dev.tollgate.auth.tenant.repository;

import dev.tollgate.auth.tenant.Membership;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
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

    public Uni<List<Membership>> listByUser(UUID userId) {
        return list("userId = ?1 order by createdAt", userId);
    }

    /** The tenant's members, locked, so that role changes cannot race each other past the last owner. */
    public Uni<List<Membership>> lockByTenant(UUID tenantId) {
        return find("tenantId = ?1 order by createdAt", tenantId).withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }

    public Uni<List<Membership>> listByTenant(UUID tenantId) {
        return list("tenantId = ?1 order by createdAt", tenantId);
    }
}
