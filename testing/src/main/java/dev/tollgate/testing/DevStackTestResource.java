package dev.tollgate.testing;

import dev.tollgate.devstack.DevStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Hands the JVM's one {@link DevStack} to a {@code @QuarkusTest}. The servers start on first use and live
 * until the test JVM exits, so every test class of a module shares them. A test profile restarts Quarkus in a
 * new class loader; the services load devstack parent-first
 * ({@code quarkus.class-loading.parent-first-artifacts}), so the restarted application finds the same servers.
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
