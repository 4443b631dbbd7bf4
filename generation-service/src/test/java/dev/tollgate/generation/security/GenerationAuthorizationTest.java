package dev.tollgate.generation.security;

import dev.tollgate.generation.FakeAuth;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every operation of generation-service against every kind of credential answers as its written policy says: 401
 * without a credential, 403 naming the missing kind, role, scope or client, and neither when the policy allows;
 * {@code tg_live_} keys presented themselves (verified at auth-service, here at the wire level) as their exchanged
 * tokens.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
@QuarkusTestResource(FakeAuth.class)
class GenerationAuthorizationTest {

    @Test
    void everyOperationAnswersEveryCredentialAsItsPolicySays() {
        AuthorizationMatrix.Tokens signed = AuthorizationMatrix.signedByTestIssuer();
        AuthorizationMatrix.check("generation", new AuthorizationMatrix.Tokens() {
            @Override
            public String session(UUID user, UUID tenant, String role) {
                return signed.session(user, tenant, role);
            }

            @Override
            public String apiKey(UUID user, UUID tenant, Set<String> scopes) {
                return signed.apiKey(user, tenant, scopes);
            }

            @Override
            public String service(String client, Set<String> scopes) {
                return signed.service(client, scopes);
            }

            @Override
            public String rawApiKey(UUID user, UUID tenant, Set<String> scopes) {
                return FakeAuth.key(user, tenant, scopes);
            }
        });
    }
}
