package dev.tollgate.generation.security;

import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every operation of generation-service against every kind of credential answers as its written policy says: 401
 * without a credential, 403 naming the missing kind, role, scope or client, and neither when the policy allows.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class GenerationAuthorizationTest {

    @Test
    void everyOperationAnswersEveryCredentialAsItsPolicySays() {
        AuthorizationMatrix.check("generation", AuthorizationMatrix.signedByTestIssuer());
    }
}
