package dev.tollgate.account;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class AccountArchitectureTest {

    @Test
    void keepsTheSuitesDependencyRules() {
        ServiceArchitecture.checkService("account");
    }
}
