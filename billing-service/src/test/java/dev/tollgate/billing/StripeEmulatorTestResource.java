package dev.tollgate.billing;

import dev.tollgate.devstack.StripeEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points billing-service at the JVM's one Stripe emulator, started on first use and stopped with the JVM. */
public class StripeEmulatorTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("tollgate.billing.stripe.api-base", StripeEmulator.shared().apiBase());
    }

    @Override
    public void stop() {
        // the emulator outlives each Quarkus start
    }
}
