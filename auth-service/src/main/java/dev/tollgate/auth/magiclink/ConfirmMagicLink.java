package dev.tollgate.auth.magiclink;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.magiclink.repository.MagicLinkChallengeRepository;
import dev.tollgate.auth.security.OpaqueTokens;
import dev.tollgate.auth.token.Sessions;
import dev.tollgate.auth.token.TokenPair;
import dev.tollgate.auth.user.ProvisionUser;
import dev.tollgate.common.error.Problems;
import dev.tollgate.gate.ratelimit.WindowLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Spends a sign-in link: once, before it expires. Signs the user in (creating them at first sign-in) and
 * starts a session. Confirmations are limited per IP, on top of the 256-bit tokens, against guessing.
 */
@ApplicationScoped
public class ConfirmMagicLink {

    private static final Logger LOG = Logger.getLogger(ConfirmMagicLink.class);

    private final MagicLinkChallengeRepository challenges;
    private final ProvisionUser users;
    private final Sessions sessions;
    private final WindowLimiter limiter;
    private final AuthConfig config;
    private final MeterRegistry registry;

    public ConfirmMagicLink(MagicLinkChallengeRepository challenges, ProvisionUser users, Sessions sessions,
            WindowLimiter limiter, AuthConfig config, MeterRegistry registry) {
        this.challenges = challenges;
        this.users = users;
        this.sessions = sessions;
        this.limiter = limiter;
        this.config = config;
        this.registry = registry;
    }

    /** The signed-in session and where the browser goes next (null: nowhere in particular). */
    public record SignIn(TokenPair tokens, String redirect) {
    }

    public Uni<SignIn> confirm(String token, String userAgent, String ip) {
        return limiter.hit("magic-link-confirm-ip:" + ip, config.magicLink().perIpLimit(), config.magicLink().window())
                .chain(decision -> {
                    if (!decision.allowed()) {
                        return refuse("limited", Problems.tooManyRequests(
                                "too many sign-in confirmations from this address; try again later",
                                decision.retryAfterSeconds()));
                    }
                    if (!OpaqueTokens.wellFormed(token)) {
                        return refuse("malformed", Problems.of(Response.Status.BAD_REQUEST, "magic-link-malformed",
                                "the sign-in token is malformed"));
                    }
                    return Panache.withTransaction(() -> spend(OpaqueTokens.hash(token), userAgent, ip));
                });
    }

    private Uni<SignIn> spend(String tokenHash, String userAgent, String ip) {
        return challenges.lockByHash(tokenHash).chain(challenge -> {
            Instant now = Instant.now();
            if (challenge == null) {
                return refuse("unknown", Problems.of(Response.Status.BAD_REQUEST, "magic-link-unknown",
                        "this sign-in link is not known; request a new one"));
            }
            if (challenge.spentAt != null) {
                return refuse("used", Problems.of(Response.Status.GONE, "magic-link-used",
                        "this sign-in link was already used; request a new one"));
            }
            if (!challenge.expiresAt.isAfter(now)) {
                return refuse("expired", Problems.of(Response.Status.GONE, "magic-link-expired",
                        "this sign-in link has expired; request a new one"));
            }
            challenge.spentAt = now;
            return users.signedIn(challenge.email)
                    .chain(membership -> sessions.start(membership, userAgent, ip)
                            .invoke(pair -> LOG.infof("audit: user %s signed in to tenant %s by magic link (session %s)",
                                    membership.userId, membership.tenantId, pair.sessionId())))
                    .map(pair -> new SignIn(pair, challenge.redirect))
                    .invoke(() -> registry.counter("tollgate.auth.sign_ins", "method", "magic-link", "outcome", "signed-in")
                            .increment());
        });
    }

    private <T> Uni<T> refuse(String outcome, HttpProblem problem) {
        registry.counter("tollgate.auth.sign_ins", "method", "magic-link", "outcome", outcome).increment();
        return Uni.createFrom().failure(problem);
    }
}
