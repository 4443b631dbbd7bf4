package dev.tollgate.auth.magiclink;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.magiclink.repository.MagicLinkChallengeRepository;
import dev.tollgate.auth.security.OpaqueTokens;
import dev.tollgate.common.error.Problems;
import dev.tollgate.gate.ratelimit.WindowLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Sends a sign-in link to an address. Every well-formed address gets one (the first sign-in creates the user),
 * so the answer is the same for known and unknown addresses. Limited per address and per IP.
 */
@ApplicationScoped
public class RequestMagicLink {

    private static final Logger LOG = Logger.getLogger(RequestMagicLink.class);

    private final MagicLinkChallengeRepository challenges;
    private final SignInMail mail;
    private final WindowLimiter limiter;
    private final AuthConfig config;
    private final MeterRegistry registry;

    public RequestMagicLink(MagicLinkChallengeRepository challenges, SignInMail mail, WindowLimiter limiter,
            AuthConfig config, MeterRegistry registry) {
        this.challenges = challenges;
        this.mail = mail;
        this.limiter = limiter;
        this.config = config;
        this.registry = registry;
    }

    public Uni<Void> request(String email, String requestedRedirect, String ip) {
        String address = email.trim().toLowerCase(Locale.ROOT);
        // stored as it was judged: what the confirmation sends the browser to is exactly what was allowed
        String redirect = requestedRedirect == null ? null : requestedRedirect.trim();
        if (redirect != null) {
            RedirectTargets.Verdict verdict = RedirectTargets.judge(redirect,
                    config.magicLink().allowedRedirects().orElse(List.of()));
            if (verdict == RedirectTargets.Verdict.UNPARSABLE) {
                return Uni.createFrom().failure(Problems.badRequest("redirect-invalid", "Redirect Invalid",
                        "redirect must be an absolute http or https URL with a host and no user info"));
            }
            if (verdict == RedirectTargets.Verdict.NOT_ALLOWED) {
                return Uni.createFrom().failure(Problems.badRequest("redirect-not-allowed", "Redirect Not Allowed",
                        "redirect must have the scheme, host and port of one of "
                                + "tollgate.auth.magic-link.allowed-redirects and lie under its path"));
            }
        }
        AuthConfig.MagicLinks limits = config.magicLink();
        return limiter.hit("magic-link-ip:" + ip, limits.perIpLimit(), limits.window())
                .chain(byIp -> byIp.allowed()
                        ? limiter.hit("magic-link-address:" + OpaqueTokens.hash(address), limits.perAddressLimit(),
                                limits.window())
                        : Uni.createFrom().item(byIp))
                .chain(decision -> {
                    if (!decision.allowed()) {
                        registry.counter("tollgate.auth.magic_link.requests", "outcome", "limited").increment();
                        return Uni.createFrom().failure(Problems.tooManyRequests(
                                "too many sign-in links requested; try again later", decision.retryAfterSeconds()));
                    }
                    String token = OpaqueTokens.generate();
                    return Panache.withTransaction(() -> challenges.persist(challenge(address, redirect, token)))
                            .chain(() -> mail.send(address, token))
                            .onFailure().transform(e -> {
                                LOG.errorf("sign-in mail could not be sent: %s", e.getMessage());
                                return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "mail-unavailable",
                                        "Mail Unavailable").withDetail("the sign-in mail could not be sent; try again")
                                        .build();
                            })
                            .invoke(() -> registry.counter("tollgate.auth.magic_link.requests", "outcome", "sent")
                                    .increment());
                });
    }

    private MagicLinkChallenge challenge(String address, String redirect, String token) {
        MagicLinkChallenge challenge = new MagicLinkChallenge();
        challenge.tokenHash = OpaqueTokens.hash(token);
        challenge.email = address;
        challenge.redirect = redirect;
        challenge.createdAt = Instant.now();
        challenge.expiresAt = challenge.createdAt.plus(config.magicLink().ttl());
        return challenge;
    }
}
