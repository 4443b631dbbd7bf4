package dev.tollgate.auth;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class AuthArchitectureTest {

    @Test
    void keepsTheSuitesDependencyRules() {
        ServiceArchitecture.checkService("auth");
    }
}
