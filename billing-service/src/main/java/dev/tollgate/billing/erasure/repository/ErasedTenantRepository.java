package dev.tollgate.billing.erasure.repository;

import dev.tollgate.billing.erasure.ErasedTenant;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/** The erased tenants, by id (a primary-key lookup: it sits on the webhook path). */
@ApplicationScoped
public class ErasedTenantRepository implements PanacheRepositoryBase<ErasedTenant, UUID> {

    /** Records that the tenant was erased; a second erasure keeps the first record. */
    public Uni<Void> markErased(UUID tenantId, UUID deletionId) {
        return findById(tenantId).chain(known -> {
            if (known != null) {
                return Uni.createFrom().voidItem();
            }
            ErasedTenant erased = new ErasedTenant();
            erased.tenantId = tenantId;
            erased.deletionId = deletionId;
            erased.erasedAt = Instant.now();
            return persist(erased).replaceWithVoid();
        });
    }

    public Uni<Boolean> isErased(UUID tenantId) {
        return findById(tenantId).map(erased -> erased != null);
    }
}
