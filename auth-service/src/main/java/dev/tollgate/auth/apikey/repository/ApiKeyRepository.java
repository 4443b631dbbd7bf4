package dev.tollgate.auth.apikey.repository;

import dev.tollgate.auth.apikey.ApiKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, UUID> {

    public Uni<ApiKey> findByPrefix(String prefix) {
        return find("prefix", prefix).firstResult();
    }

    /** A key of the tenant; another tenant's key does not exist for the caller. */
    public Uni<ApiKey> findInTenant(UUID id, UUID tenantId) {
        return find("id = ?1 and tenantId = ?2", id, tenantId).firstResult();
    }

    /** As {@link #findInTenant}, locked until the transaction ends: its changes, rotation and revocation queue. */
    public Uni<ApiKey> findInTenantForUpdate(UUID id, UUID tenantId) {
        return find("id = ?1 and tenantId = ?2", id, tenantId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /**
     * The other keys of a rotation line that began with {@code lineage} (the key it began with included), locked until
     * the transaction ends, so that a revocation racing a change is not written over.
     */
    public Uni<List<ApiKey>> othersOfLineForUpdate(UUID tenantId, UUID lineage, UUID except) {
        return find("tenantId = ?1 and (id = ?2 or lineageId = ?2) and id <> ?3", tenantId, lineage, except)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }

    public Uni<List<ApiKey>> listInTenant(UUID tenantId) {
        return list("tenantId = ?1 and replacedBy is null order by createdAt desc", tenantId);
    }

    public Uni<List<ApiKey>> listOfUserInTenant(UUID tenantId, UUID userId) {
        return list("tenantId = ?1 and userId = ?2 and replacedBy is null order by createdAt desc", tenantId, userId);
    }

    /** The keys an API key created (with {@code keys:manage}). */
    public Uni<List<ApiKey>> listIssuedBy(UUID keyId) {
        return list("createdByKey", keyId);
    }
}
