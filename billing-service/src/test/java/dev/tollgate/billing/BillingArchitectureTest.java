package dev.tollgate.billing;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class BillingArchitectureTest {

    @Test
    void keepsTheSuitesDependencyRules() {
        ServiceArchitecture.checkService("billing");
    }
}
