package dev.tollgate.common.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A service whose schema name is not a SQL identifier refuses to start, and says which key is wrong. */
class BadConfigurationTest {

    @RegisterExtension
    static final QuarkusUnitTest APP = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClass(ServiceConfig.class))
            .overrideConfigKey("tollgate.service.name", "billing")
            .overrideConfigKey("tollgate.service.schema", "Billing Schema!")
            .assertException(e -> {
                String message = String.valueOf(e.getMessage());
                assertTrue(message.contains("tollgate.service.schema"), "names the key: " + message);
                assertTrue(message.contains("must be a lower-case SQL identifier"), "says why: " + message);
            });

    @Test
    void startUpFails() {
        // assertException above runs when the start-up fails; reaching here means it did not
        throw new AssertionError("the application started with an invalid tollgate.service.schema");
    }
}
