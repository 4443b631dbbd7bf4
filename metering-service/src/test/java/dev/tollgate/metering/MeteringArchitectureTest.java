package dev.tollgate.metering;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class MeteringArchitectureTest {

    @Test
    void keepsTheSuitesDependencyRules() {
        ServiceArchitecture.checkService("metering");
    }
}
