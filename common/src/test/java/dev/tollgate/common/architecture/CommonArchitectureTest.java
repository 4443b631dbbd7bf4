package dev.tollgate.common.architecture;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class CommonArchitectureTest {

    @Test
    void commonDependsOnNoService() {
        ServiceArchitecture.checkCommon();
    }
}
