package dev.tollgate.auth.magiclink.repository;

import dev.tollgate.auth.magiclink.MagicLinkChallenge;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;

@ApplicationScoped
public class MagicLinkChallengeRepository implements PanacheRepositoryBase<MagicLinkChallenge, String> {

    /** The challenge, locked for this transaction so that two confirmations of one link cannot both spend it. */
    public Uni<MagicLinkChallenge> lockByHash(String tokenHash) {
        return find("tokenHash", tokenHash).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    public Uni<Long> deleteExpiredBefore(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
