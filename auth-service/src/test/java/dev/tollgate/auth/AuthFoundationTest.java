package dev.tollgate.auth;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.ServiceFoundationTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class AuthFoundationTest extends ServiceFoundationTest {

    AuthFoundationTest() {
        super("auth");
    }
}
