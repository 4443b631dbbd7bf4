package dev.tollgate.auth.tenant.repository;

import dev.tollgate.auth.tenant.Invitation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

@ApplicationScoped
public class InvitationRepository implements PanacheRepositoryBase<Invitation, String> {

    public Uni<Invitation> lockByHash(String tokenHash) {
        return find("tokenHash", tokenHash).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }
}
