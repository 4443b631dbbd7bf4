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
                .chain(saved -> issue(saved, membership.role, OpaqueTokens.generate()));
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
                return continueSession(family, now, "rotated", successors.of(presented));
            }
            if (token.spentAt.plus(config.refreshToken().reuseGrace()).isAfter(now)) {
                // a second tab with the same token: the successor the first use produced, not a second chain
                return continueSession(family, now, "grace", successors.of(presented));
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

    private Uni<Outcome> continueSession(RefreshFamily family, Instant now, String name, String successor) {
        family.lastUsedAt = now;
        return memberships.find(family.tenantId, family.userId).chain(membership -> membership == null
                ? refused("left-tenant", "session-revoked", "the user no longer belongs to this tenant")
                : issue(family, membership.role, successor).map(pair -> new Outcome(name, pair, null)));
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
                .chain(membership -> families.findById(sessionId).chain(family -> {
                    if (family == null || !family.userId.equals(userId) || family.revokedAt != null) {
                        return Uni.createFrom().<TokenPair> failure(invalidGrant("session-revoked",
                                "this session was ended"));
                    }
                    family.tenantId = tenantId;
                    family.lastUsedAt = Instant.now();
                    LOG.infof("audit: user %s switched session %s to tenant %s", userId, sessionId, tenantId);
                    if (presentedRefresh == null) {
                        // the session's refresh chain goes on as it is, now into the new tenant: no second chain
                        return accessTokens.forSession(family.userId, tenantId, membership.role, family.id,
                                family.createdAt)
                                .map(access -> new TokenPair(access, accessTokens.ttlSeconds(), null, null, family.id,
                                        tenantId));
                    }
                    return spendForSwitch(family, presentedRefresh, membership.role);
                })));
    }

    /** The presented refresh token of this session, spent: its successor carries the session on in the new tenant. */
    private Uni<TokenPair> spendForSwitch(RefreshFamily family, String presented, String role) {
        if (!OpaqueTokens.wellFormed(presented)) {
            return Uni.createFrom().failure(invalidGrant("refresh-token-invalid", "the refresh token is malformed"));
        }
        return tokens.lockByHash(OpaqueTokens.hash(presented)).chain(token -> {
            Instant now = Instant.now();
            if (token == null || !token.family.id.equals(family.id) || !token.expiresAt.isAfter(now)) {
                return Uni.createFrom().failure(invalidGrant("refresh-token-invalid",
                        "the refresh token is not this session's current one"));
            }
            if (token.spentAt == null) {
                token.spentAt = now;
            } else if (!token.spentAt.plus(config.refreshToken().reuseGrace()).isAfter(now)) {
                return Uni.createFrom().failure(invalidGrant("refresh-token-reused",
                        "this refresh token was already used"));
            }
            return issue(family, role, successors.of(presented));
        });
    }

    /**
     * A pair whose refresh token is {@code secret}; the token's row is made the first time, and found again when the
     * same predecessor is presented within the grace window.
     */
    private Uni<TokenPair> issue(RefreshFamily family, String role, String secret) {
        String hash = OpaqueTokens.hash(secret);
        return tokens.findById(hash).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            RefreshToken token = new RefreshToken();
            token.tokenHash = hash;
            token.family = family;
            token.createdAt = Instant.now();
            token.expiresAt = earliest(token.createdAt.plus(config.refreshToken().ttl()),
                    family.createdAt.plus(config.refreshToken().maxSessionAge()));
            return tokens.persist(token);
        }).chain(token -> accessTokens.forSession(family.userId, family.tenantId, role, family.id, family.createdAt)
                .map(access -> new TokenPair(access, accessTokens.ttlSeconds(), secret, token.expiresAt, family.id,
                        family.tenantId)));
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
