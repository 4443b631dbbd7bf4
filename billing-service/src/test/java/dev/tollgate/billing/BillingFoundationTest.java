package dev.tollgate.billing;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.ServiceFoundationTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class BillingFoundationTest extends ServiceFoundationTest {

    BillingFoundationTest() {
        super("billing");
    }
}
