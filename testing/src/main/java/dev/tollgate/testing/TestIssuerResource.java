package dev.tollgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a service's token verifier at the JVM's {@link TestIssuer}. */
public class TestIssuerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestIssuer.shared().verifierConfig();
    }

    @Override
    public void stop() {
        // the issuer lives until the JVM exits, shared by every test class
    }
}
