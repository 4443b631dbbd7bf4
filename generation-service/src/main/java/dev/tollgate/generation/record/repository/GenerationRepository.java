package dev.tollgate.generation.record.repository;

import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.erasure.ErasureLocks;
import dev.tollgate.generation.erasure.ErasedTenant;
import dev.tollgate.generation.erasure.ErasedUser;
import dev.tollgate.generation.record.Generation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Generations, always read within one tenant. */
@ApplicationScoped
public class GenerationRepository implements PanacheRepositoryBase<Generation, UUID> {

    private final int lockSpace;

    public GenerationRepository(ServiceConfig service) {
        this.lockSpace = ErasureLocks.space(service.schema());
    }

    /** One page of a user's generations in a tenant, newest first. */
    public Uni<List<Generation>> pageOf(UUID tenantId, UUID userId, int page, int size) {
        return find("tenantId = ?1 and userId = ?2", Sort.descending("createdAt").and("id"), tenantId, userId)
                .page(Page.of(page, size)).list();
    }

    /**
     * Whether the user or the tenant was erased. Takes their erasure locks first, shared, in a statement of its own:
     * an erasure marking them meanwhile is waited for and then seen, and one that comes later waits for this
     * transaction (an access token outlives its user's erasure by minutes). Needs a transaction.
     */
    public Uni<Boolean> erased(UUID userId, UUID tenantId) {
        return Panache.getSession().chain(session -> ErasureLocks.shared(session, lockSpace, List.of(userId, tenantId))
                .chain(() -> session.find(ErasedUser.class, userId))
                .chain(user -> user != null ? Uni.createFrom().item(true)
                        : session.find(ErasedTenant.class, tenantId).map(tenant -> tenant != null)));
    }

    /** The user's generation {@code id} in the tenant, or null: another user's generation is as good as absent. */
    public Uni<Generation> ownedBy(UUID tenantId, UUID userId, UUID id) {
        return find("id = ?1 and tenantId = ?2 and userId = ?3", id, tenantId, userId).firstResult();
    }

    public Uni<Long> countOf(UUID tenantId, UUID userId) {
        return count("tenantId = ?1 and userId = ?2", tenantId, userId);
    }
}
