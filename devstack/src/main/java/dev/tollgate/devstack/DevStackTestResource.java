package dev.tollgate.devstack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Hands the JVM's one {@link DevStack} to a {@code @QuarkusTest}. The servers start on first use and live
 * until the test JVM exits, so every test class of a module shares them; a restart of Quarkus between test
 * profiles reuses them.
 */
public class DevStackTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return DevStack.shared().quarkusConfig();
    }

    @Override
    public void stop() {
        // the servers outlive each Quarkus start; DevStack.shared() stops them when the JVM exits
    }
}
