package dev.tollgate.auth.token;

import dev.tollgate.auth.token.repository.RefreshFamilyRepository;
import dev.tollgate.common.error.Problems;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A user's view of their own sessions: list them, end one (a lost phone), or end the current one (sign out).
 * An ended session's refresh token stops working at once; access tokens it issued run out within their TTL.
 */
@ApplicationScoped
public class UserSessions {

    private static final Logger LOG = Logger.getLogger(UserSessions.class);

    private final RefreshFamilyRepository families;

    public UserSessions(RefreshFamilyRepository families) {
        this.families = families;
    }

    /** A session as its user sees it; {@code current} marks the one the request came from. */
    public record SessionView(UUID id, UUID tenantId, Instant createdAt, Instant lastUsedAt, String userAgent,
            String ip, boolean current) {
    }

    @WithSession
    public Uni<List<SessionView>> list(UUID userId, UUID currentSession) {
        return families.listActive(userId).map(found -> found.stream()
                .map(family -> new SessionView(family.id, family.tenantId, family.createdAt, family.lastUsedAt,
                        family.userAgent, family.ip, family.id.equals(currentSession)))
                .toList());
    }

    /** Ends one of the user's sessions; another user's session answers 404. */
    @WithTransaction
    public Uni<Void> end(UUID userId, UUID sessionId, String reason) {
        if (sessionId == null) {
            return Uni.createFrom().failure(Problems.badRequest("no-session", "No Session",
                    "this access token belongs to no sign-in session"));
        }
        return families.findOwned(sessionId, userId).chain(family -> {
            if (family == null) {
                return Uni.createFrom().failure(Problems.notFound("session", sessionId));
            }
            if (family.revokedAt == null) {
                family.revokedAt = Instant.now();
                family.revokedReason = reason;
                LOG.infof("audit: user %s ended session %s (%s)", userId, sessionId, reason);
            }
            return Uni.createFrom().voidItem();
        });
    }
}
