package dev.tollgate.auth.token;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.common.security.SecurityConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/**
 * Every service forgets a revoked key or a changed role {@code tollgate.security.changes-remembered} after the
 * change; a token that lived longer would be trusted again for what it no longer is. auth-service, which signs the
 * tokens, refuses to start when its tokens could outlive that memory.
 */
@ApplicationScoped
public class TokenLifetimes {

    /** The clocks of the services may differ by this much (as token verification's skew allows). */
    static final Duration SKEW = Duration.ofSeconds(30);

    private final AuthConfig config;
    private final SecurityConfig security;

    public TokenLifetimes(AuthConfig config, SecurityConfig security) {
        this.config = config;
        this.security = security;
    }

    void check(@Observes StartupEvent start) {
        String problem = problem(config.accessToken().ttl(), config.apiKey().exchangedTokenTtl(),
                security.changesRemembered());
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** What is wrong with these lifetimes, or null. */
    static String problem(Duration accessTtl, Duration exchangedTtl, Duration remembered) {
        Duration longest = accessTtl.compareTo(exchangedTtl) >= 0 ? accessTtl : exchangedTtl;
        if (remembered.compareTo(longest.plus(SKEW)) <= 0) {
            return "tollgate.security.changes-remembered (" + remembered + ") must exceed the longest token life ("
                    + "tollgate.auth.access-token.ttl " + accessTtl + ", tollgate.auth.api-key.exchanged-token-ttl "
                    + exchangedTtl + ") by " + SKEW + ": a revoked key's or a demoted member's token would be "
                    + "trusted again once the services forget the change; raise it on every service";
        }
        return null;
    }
}
