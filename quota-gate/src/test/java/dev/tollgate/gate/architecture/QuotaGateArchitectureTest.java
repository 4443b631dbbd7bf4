package dev.tollgate.gate.architecture;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class QuotaGateArchitectureTest {

    @Test
    void theGateDependsOnNoService() {
        ServiceArchitecture.checkLibrary("gate");
    }
}
