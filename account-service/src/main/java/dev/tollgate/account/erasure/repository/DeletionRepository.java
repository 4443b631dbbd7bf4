package dev.tollgate.account.erasure.repository;

import dev.tollgate.account.erasure.DeletionReceipt;
import dev.tollgate.account.erasure.DeletionRequest;
import dev.tollgate.account.erasure.ErasedTenant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Erasure requests and their receipts. */
@ApplicationScoped
public class DeletionRepository implements PanacheRepositoryBase<DeletionRequest, UUID> {

    public Uni<DeletionRequest> ofUser(UUID userId) {
        return find("userId", userId).firstResult();
    }

    /** The request, locked until the transaction ends (receipts of one request in turn). */
    public Uni<DeletionRequest> locked(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public Uni<List<DeletionReceipt>> receipts(UUID deletionId) {
        return DeletionReceipt.list("deletionId = ?1 order by receivedAt", deletionId);
    }

    /** The tenants deleted with the request's user. */
    public Uni<List<UUID>> tenantsOf(UUID deletionId) {
        return ErasedTenant.<ErasedTenant> list("deletionId = ?1 order by tenantId", deletionId)
                .map(tenants -> tenants.stream().map(tenant -> tenant.tenantId).toList());
    }

    /** Records the tenants deleted with the request's user; needs a transaction. */
    public Uni<Void> scope(UUID deletionId, List<UUID> tenants) {
        if (tenants.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}erased_tenants (tenant_id, deletion_id)
                select t, :deletion from unnest(cast(:tenants as uuid[])) as t on conflict (tenant_id) do nothing""")
                .setParameter("deletion", deletionId)
                .setParameter("tenants", tenants.toArray(UUID[]::new))
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Whether the tenant was deleted by an erasure. */
    public Uni<Boolean> tenantErased(UUID tenantId) {
        return ErasedTenant.findById(tenantId).map(found -> found != null);
    }

    /** Open requests last sent (or asked) before {@code before}, oldest first. */
    public Uni<List<DeletionRequest>> stalled(Instant before) {
        return list("completedAt is null and coalesce(redrivenAt, requestedAt) < :before order by requestedAt",
                Parameters.with("before", before));
    }

    /** Every open request, oldest first (at most 500). */
    public Uni<List<DeletionRequest>> open() {
        return find("completedAt is null order by requestedAt").page(0, 500).list();
    }

    /** Open requests past their deadline. */
    public Uni<List<DeletionRequest>> overdue(Instant now) {
        return list("completedAt is null and deadlineAt < :now order by deadlineAt", Parameters.with("now", now));
    }
}
