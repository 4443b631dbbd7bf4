package dev.tollgate.generation.record.repository;

import dev.tollgate.generation.record.Generation;
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

    public Uni<Long> countOf(UUID tenantId, UUID userId) {
        return count("tenantId = ?1 and userId = ?2", tenantId, userId);
    }
}
