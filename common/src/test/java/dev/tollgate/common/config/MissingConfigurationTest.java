package dev.tollgate.common.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A service started without its name refuses to start, and names the missing key. */
class MissingConfigurationTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClass(ServiceConfig.class))
            .overrideConfigKey("tollgate.service.schema", "billing")
            .assertException(e -> {
                String message = String.valueOf(e.getMessage());
                assertTrue(message.contains("tollgate.service.name"), "names the key: " + message);
                assertTrue(!message.contains("tollgate.service.schema"), "blames only the missing key: " + message);
            });

    @Test
    void startUpFails() {
        throw new AssertionError("the application started without tollgate.service.name");
    }
}
