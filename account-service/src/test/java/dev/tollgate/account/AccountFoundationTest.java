package dev.tollgate.account;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.ServiceFoundationTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class AccountFoundationTest extends ServiceFoundationTest {

    AccountFoundationTest() {
        super("account");
    }
}
