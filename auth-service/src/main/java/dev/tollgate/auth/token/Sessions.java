package dev.tollgate.auth.token;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.security.OpaqueTokens;
import dev.tollgate.auth.tenant.Membership;
import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.auth.token.repository.RefreshFamilyRepository;
import dev.tollgate.auth.token.repository.RefreshTokenRepository;
import dev.tollgate.common.audit.AuditTrail;
import dev.tollgate.common.error.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Sessions and their refresh tokens. A refresh token is spent when it is exchanged; the session then lives on
 * in its successor. A spent token used again within the grace window (a second tab that refreshed at the same
 * moment) gets a valid answer of its own; used again later, it is taken as stolen and the whole session is
 * revoked, while the user's other sessions live on.
 */
@ApplicationScoped
public class Sessions {

    private static final Logger LOG = Logger.getLogger(Sessions.class);

    private final AuditTrail audit;
    private final RefreshFamilyRepository families;
    private final RefreshTokenRepository tokens;
    private final MembershipRepository memberships;
    private final AccessTokens accessTokens;
    private final AuthConfig config;
    private final MeterRegistry registry;
    private final RefreshSuccessors successors;

    public Sessions(RefreshFamilyRepository families, RefreshTokenRepository tokens, MembershipRepository memberships,
            AccessTokens accessTokens, AuthConfig config, MeterRegistry registry, AuditTrail audit,
            RefreshSuccessors successors) {
        this.successors = successors;
        this.audit = audit;
        this.families = families;
        this.tokens = tokens;
        this.memberships = memberships;
        this.accessTokens = accessTokens;
        this.config = config;
        this.registry = registry;
    }

    /** Starts a session for a signed-in user in a tenant; call inside the sign-in's transaction. */
    public Uni<TokenPair> start(Membership membership, String userAgent, String ip) {
        RefreshFamily family = new RefreshFamily();
        family.id = UUID.randomUUID();
        family.userId = membership.userId;
        family.tenantId = membership.tenantId;
        family.createdAt = Instant.now();
        family.lastUsedAt = family.createdAt;
        family.userAgent = truncate(userAgent, 500);
        family.ip = truncate(ip, 64);
        return families.persist(family)
                .call(saved -> audit.record(saved.tenantId, "auth.signed-in", saved.userId.toString(), saved.userId,
                        saved.ip, Map.of("session", saved.id.toString())))
                .chain(saved -> issue(saved, membership.role, OpaqueTokens.generate(), false));
    }

    /**
     * Exchanges a refresh token for a new pair. A refusal that revokes the session commits the revocation
     * before the refusal is answered.
     */
    public Uni<TokenPair> refresh(String refreshToken) {
        if (!OpaqueTokens.wellFormed(refreshToken)) {
            count("malformed");
            return Uni.createFrom().failure(invalidGrant("refresh-token-invalid", "the refresh token is malformed"));
        }
        return Panache.withTransaction(() -> attempt(refreshToken))
                .chain(outcome -> {
                    count(outcome.name());
                    return outcome.problem() == null ? Uni.createFrom().item(outcome.pair())
                            : Uni.createFrom().failure(outcome.problem());
                });
    }

    private record Outcome(String name, TokenPair pair, HttpProblem problem) {
        static Outcome refused(String name, String slug, String detail) {
            return new Outcome(name, null, invalidGrant(slug, detail));
        }
    }

    private Uni<Outcome> attempt(String presented) {
        return tokens.lockByHash(OpaqueTokens.hash(presented)).chain(token -> {
            Instant now = Instant.now();
            if (token == null) {
                return refused("unknown", "refresh-token-invalid", "the refresh token is not known");
            }
            RefreshFamily family = token.family;
            if (family.revokedAt != null) {
                return refused("revoked", "session-revoked", "this session was ended");
            }
            if (!token.expiresAt.isAfter(now)) {
                return refused("expired", "refresh-token-expired", "the refresh token has expired");
            }
            if (!family.createdAt.plus(config.refreshToken().maxSessionAge()).isAfter(now)) {
                family.revokedAt = now;
                family.revokedReason = "max-age";
                LOG.infof("audit: session %s of user %s reached its maximum age; sign-in needed", family.id,
                        family.userId);
                return refused("max-age", "session-expired", "this session is older than "
                        + config.refreshToken().maxSessionAge().toDays() + " days; sign in again");
            }
            if (token.spentAt == null) {
                token.spentAt = now;
                return continueSession(family, now, "rotated", successors.of(presented), false);
            }
            if (token.spentAt.plus(config.refreshToken().reuseGrace()).isAfter(now)) {
                // a second tab with the same token: the successor the first use produced, not a second chain
                return continueSession(family, now, "grace", successors.of(presented), true);
            }
            family.revokedAt = now;
            family.revokedReason = RefreshFamily.REVOKED_BY_REUSE;
            LOG.warnf("audit: refresh token reuse detected; session %s of user %s in tenant %s revoked",
                    family.id, family.userId, family.tenantId);
            return refused("reused", "refresh-token-reused",
                    "this refresh token was already used; the session has been ended for safety");
        });
    }

    private static Uni<Outcome> refused(String name, String slug, String detail) {
        return Uni.createFrom().item(Outcome.refused(name, slug, detail));
    }

    private Uni<Outcome> continueSession(RefreshFamily family, Instant now, String name, String successor,
            boolean replay) {
        family.lastUsedAt = now;
        return memberships.find(family.tenantId, family.userId).chain(membership -> membership == null
                ? refused("left-tenant", "session-revoked", "the user no longer belongs to this tenant")
                : issue(family, membership.role, successor, replay).map(pair -> new Outcome(name, pair, null)));
    }

    /**
     * Moves the caller's session to another tenant they belong to and hands back tokens for it: one session,
     * a token per tenant. A tenant the user does not belong to answers 404.
     */
    public Uni<TokenPair> switchTenant(UUID userId, UUID sessionId, UUID tenantId, String presentedRefresh) {
        if (sessionId == null) {
            return Uni.createFrom().failure(Problems.badRequest("no-session", "No Session",
                    "this access token belongs to no sign-in session"));
        }
        return Panache.withTransaction(() -> memberships.find(tenantId, userId)
                .onItem().ifNull().failWith(() -> Problems.notFound("tenant", tenantId))
                .chain(membership -> families.lock(sessionId).chain(family -> {
                    Instant now = Instant.now();
                    if (family == null || !family.userId.equals(userId) || family.revokedAt != null) {
                        return Uni.createFrom().<Outcome> failure(invalidGrant("session-revoked",
                                "this session was ended"));
                    }
                    if (!family.createdAt.plus(config.refreshToken().maxSessionAge()).isAfter(now)) {
                        return Uni.createFrom().<Outcome> failure(invalidGrant("session-expired",
                                "this session is too old; sign in again"));
                    }
                    return tokens.hasLive(family.id, now).chain(live -> {
                        if (!live) {
                            // an access token alone does not renew a session whose refresh token ran out
                            return Uni.createFrom().<Outcome> failure(invalidGrant("session-expired",
                                    "this session has no usable refresh token; sign in again"));
                        }
                        family.tenantId = tenantId;
                        family.lastUsedAt = now;
                        LOG.infof("audit: user %s switched session %s to tenant %s", userId, sessionId, tenantId);
                        return presentedRefresh == null
                                ? accessOnly(family, membership.role).map(pair -> new Outcome("switched", pair, null))
                                : spendForSwitch(family, presentedRefresh, membership.role);
                    });
                })))
                // outside the transaction: a reuse's revocation commits before the refusal is answered
                .chain(outcome -> outcome.problem() == null ? Uni.createFrom().item(outcome.pair())
                        : Uni.createFrom().failure(outcome.problem()));
    }

    /** A token for the session's tenant, and no refresh token: the one the client holds goes on into that tenant. */
    private Uni<TokenPair> accessOnly(RefreshFamily family, String role) {
        return accessTokens.forSession(family.userId, family.tenantId, role, family.id, family.createdAt)
                .map(access -> new TokenPair(access, accessTokens.ttlSeconds(), null, null, family.id, family.tenantId));
    }

    /** The presented refresh token of this session, spent: its successor carries the session on in the new tenant. */
    private Uni<Outcome> spendForSwitch(RefreshFamily family, String presented, String role) {
        if (!OpaqueTokens.wellFormed(presented)) {
            return refused("malformed", "refresh-token-invalid", "the refresh token is malformed");
        }
        return tokens.lockByHash(OpaqueTokens.hash(presented)).chain(token -> {
            Instant now = Instant.now();
            if (token == null || !token.family.id.equals(family.id) || !token.expiresAt.isAfter(now)) {
                // a cookie of another session (signed in again in another tab): switch this one, spend nothing
                return accessOnly(family, role).map(pair -> new Outcome("switched", pair, null));
            }
            boolean replay = token.spentAt != null;
            if (!replay) {
                token.spentAt = now;
            } else if (!token.spentAt.plus(config.refreshToken().reuseGrace()).isAfter(now)) {
                family.revokedAt = now;
                family.revokedReason = RefreshFamily.REVOKED_BY_REUSE;
                LOG.warnf("audit: refresh token reuse detected at a tenant switch; session %s of user %s revoked",
                        family.id, family.userId);
                return refused("reused", "refresh-token-reused",
                        "this refresh token was already used; the session has been ended for safety");
            }
            return issue(family, role, successors.of(presented), replay).map(pair -> new Outcome("switched", pair, null));
        });
    }

    /**
     * A pair whose refresh token is {@code secret}. A new one is stored; a {@code replay} (the same predecessor
     * presented again within the grace window) finds it, and if it was spent meanwhile (the first tab refreshed
     * again), follows the chain to the token that is current, so every tab ends on the one chain's head.
     */
    private Uni<TokenPair> issue(RefreshFamily family, String role, String secret, boolean replay) {
        Uni<Head> head = replay ? head(family, secret, 0) : store(family, secret);
        return head.chain(current -> accessTokens.forSession(family.userId, family.tenantId, role,
                family.id, family.createdAt)
                .map(access -> new TokenPair(access, accessTokens.ttlSeconds(), current.secret(), current.token().expiresAt,
                        family.id, family.tenantId)));
    }

    private record Head(String secret, RefreshToken token) {
    }

    /** A grace window is seconds long: a chain grows by a few tokens in it at most. */
    private static final int MAX_FOLLOW = 16;

    private Uni<Head> head(RefreshFamily family, String secret, int followed) {
        return tokens.findById(OpaqueTokens.hash(secret)).chain(existing -> {
            if (existing == null) {
                return store(family, secret);
            }
            if (existing.spentAt == null || followed >= MAX_FOLLOW) {
                return Uni.createFrom().item(new Head(secret, existing));
            }
            return head(family, successors.of(secret), followed + 1);
        });
    }

    private Uni<Head> store(RefreshFamily family, String secret) {
        RefreshToken token = new RefreshToken();
        token.tokenHash = OpaqueTokens.hash(secret);
        token.family = family;
        token.createdAt = Instant.now();
        token.expiresAt = earliest(token.createdAt.plus(config.refreshToken().ttl()),
                family.createdAt.plus(config.refreshToken().maxSessionAge()));
        return tokens.persist(token).map(saved -> new Head(secret, saved));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private void count(String outcome) {
        registry.counter("tollgate.auth.refresh", "outcome", outcome).increment();
    }

    /** OAuth's {@code invalid_grant}, as problem+json with the OAuth error code alongside. */
    static HttpProblem invalidGrant(String slug, String detail) {
        return Problems.builder(Response.Status.BAD_REQUEST, slug, "Invalid Grant")
                .withDetail(detail)
                .with("error", "invalid_grant")
                .build();
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
