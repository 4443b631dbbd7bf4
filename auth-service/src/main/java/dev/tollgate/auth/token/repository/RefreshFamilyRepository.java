package dev.tollgate.auth.token.repository;

import dev.tollgate.auth.token.RefreshFamily;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class RefreshFamilyRepository implements PanacheRepositoryBase<RefreshFamily, UUID> {

    /** The user's sessions that have not been ended, most recently used first. */
    public Uni<List<RefreshFamily>> listActive(UUID userId) {
        return list("userId = ?1 and revokedAt is null order by lastUsedAt desc", userId);
    }

    /** The session if it is the user's; another user's session does not exist for them. */
    public Uni<RefreshFamily> findOwned(UUID id, UUID userId) {
        return find("id = ?1 and userId = ?2", id, userId).firstResult();
    }

    /** The session, locked until the transaction ends: a revocation committed meanwhile is not written over. */
    public Uni<RefreshFamily> lock(UUID id) {
        return findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
    }
}
