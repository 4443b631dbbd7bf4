package dev.tollgate.generation;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class GenerationArchitectureTest {

    @Test
    void keepsTheSuitesDependencyRules() {
        ServiceArchitecture.checkService("generation");
    }
}
