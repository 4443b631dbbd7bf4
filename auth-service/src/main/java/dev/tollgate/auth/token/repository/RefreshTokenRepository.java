package dev.tollgate.auth.token.repository;

import dev.tollgate.auth.token.RefreshToken;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.UUID;

@ApplicationScoped
public class RefreshTokenRepository implements PanacheRepositoryBase<RefreshToken, String> {

    /** The token with its session, locked until the transaction ends, so two uses of it are served one by one. */
    public Uni<RefreshToken> lockByHash(String tokenHash) {
        return find("tokenHash", tokenHash).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Whether the session still has a refresh token that can be used: unspent and not expired. */
    public Uni<Boolean> hasLive(UUID familyId, Instant now) {
        return count("family.id = ?1 and spentAt is null and expiresAt > ?2", familyId, now).map(count -> count > 0);
    }
}
