package dev.tollgate.generation;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.ServiceFoundationTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class GenerationFoundationTest extends ServiceFoundationTest {

    GenerationFoundationTest() {
        super("generation");
    }
}
