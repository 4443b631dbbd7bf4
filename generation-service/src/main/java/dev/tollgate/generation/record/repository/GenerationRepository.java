package dev.tollgate.generation.record.repository;

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

    /** One page of a user's generations in a tenant, newest first. */
    public Uni<List<Generation>> pageOf(UUID tenantId, UUID userId, int page, int size) {
        return find("tenantId = ?1 and userId = ?2", Sort.descending("createdAt").and("id"), tenantId, userId)
                .page(Page.of(page, size)).list();
    }

    /**
     * Whether {@code userId} was erased. Erasure locks {@code erased_users}, so a transaction asking while a user
     * is being erased waits for the answer: an access token outlives its user's erasure by minutes.
     */
    public Uni<Boolean> erased(UUID userId) {
        // a primary-key find: a native query with a result class would add an entry to Hibernate's query
        // interpretation cache on every call
        return Panache.getSession().chain(session -> session.find(ErasedUser.class, userId)).map(erased -> erased != null);
    }

    /** Whether {@code tenantId} was erased here. */
    public Uni<Boolean> tenantErased(UUID tenantId) {
        return Panache.getSession().chain(session -> session.find(ErasedTenant.class, tenantId))
                .map(erased -> erased != null);
    }

    /** The user's generation {@code id} in the tenant, or null: another user's generation is as good as absent. */
    public Uni<Generation> ownedBy(UUID tenantId, UUID userId, UUID id) {
        return find("id = ?1 and tenantId = ?2 and userId = ?3", id, tenantId, userId).firstResult();
    }

    public Uni<Long> countOf(UUID tenantId, UUID userId) {
        return count("tenantId = ?1 and userId = ?2", tenantId, userId);
    }
}
