package dev.tollgate.auth.retention;

import dev.tollgate.auth.magiclink.repository.MagicLinkChallengeRepository;
import dev.tollgate.auth.token.repository.RefreshTokenRepository;
import dev.tollgate.common.schedule.JobRuns;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Removes credentials that can no longer be used: sign-in links and refresh tokens a day past their expiry (a
 * spent refresh token is kept until then, so that its reuse is still recognised as a reuse).
 */
@ApplicationScoped
public class ExpiredCredentials {

    private static final Logger LOG = Logger.getLogger(ExpiredCredentials.class);
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(1);

    private final MagicLinkChallengeRepository challenges;
    private final RefreshTokenRepository refreshTokens;

    private final JobRuns jobs;

    public ExpiredCredentials(MagicLinkChallengeRepository challenges, RefreshTokenRepository refreshTokens,
            JobRuns jobs) {
        this.challenges = challenges;
        this.refreshTokens = refreshTokens;
        this.jobs = jobs;
    }

    /** Hourly, by one replica. */
    @Scheduled(identity = "expired-credentials", every = "1h", delayed = "5m")
    Uni<Void> scheduled() {
        return jobs.once("expired-credentials", Duration.ofHours(1), this::remove);
    }

    public Uni<Void> remove() {
        Instant before = Instant.now().minus(KEPT_AFTER_EXPIRY);
        return Panache.withTransaction(() -> challenges.deleteExpiredBefore(before)
                .chain(links -> refreshTokens.delete("expiresAt < ?1", before)
                        .invoke(tokens -> LOG.infof("removed %d sign-in links and %d refresh tokens expired before %s",
                                links, tokens, before))))
                .replaceWithVoid();
    }
}
