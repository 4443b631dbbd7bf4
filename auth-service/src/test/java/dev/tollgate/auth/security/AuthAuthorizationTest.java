package dev.tollgate.auth.security;

import dev.tollgate.auth.token.AccessTokens;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every operation of auth-service against every kind of credential answers as its written policy says. The
 * credentials are signed by auth-service's own token issuer with its active key, as sign-in, token exchange and
 * client credentials would give them.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class AuthAuthorizationTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    @Inject
    AccessTokens tokens;

    @Test
    void everyOperationAnswersEveryCredentialAsItsPolicySays() {
        AuthorizationMatrix.check("auth", new AuthorizationMatrix.Tokens() {
            @Override
            public String session(UUID user, UUID tenant, String role) {
                return sign(new AccessTokens.Grant(user.toString(), tenant, List.of(role), AccessTokens.USER_SCOPE,
                        UUID.randomUUID(), null, TTL, Instant.now()));
            }

            @Override
            public String apiKey(UUID user, UUID tenant, Set<String> scopes) {
                return sign(new AccessTokens.Grant(user.toString(), tenant, List.of("api-key"), String.join(" ", scopes),
                        null, UUID.randomUUID(), TTL, null));
            }

            @Override
            public String service(String client, Set<String> scopes) {
                return sign(new AccessTokens.Grant("service:" + client, null, List.of("service"),
                        String.join(" ", scopes), null, null, TTL, null));
            }
        });
    }

    private String sign(AccessTokens.Grant grant) {
        try {
            // the active signing key is read through Hibernate Reactive, which needs a Vert.x context
            return VertxContextSupport.subscribeAndAwait(() -> tokens.issue(grant));
        } catch (Throwable e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }
}
