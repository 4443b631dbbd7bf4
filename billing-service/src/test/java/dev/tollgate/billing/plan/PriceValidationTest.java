package dev.tollgate.billing.plan;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.stripe.StripeCalls;
import dev.tollgate.common.plan.FreeTier;
import dev.tollgate.devstack.StripeEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Start-up checks the catalog's Stripe prices against Stripe (here the emulator, which has the local run's
 * prices and no others): a price Stripe does not have stops the start and names the plan.
 */
class PriceValidationTest {

    @Test
    void theLocalCatalogsPricesAreAcceptedAndATypoStopsTheStartNamingThePlan() throws IOException {
        assertDoesNotThrow(() -> validation(Map.of()).onStart(null));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> validation(Map.of(
                "tollgate.billing.plans.pro.stripe-price-id", "price_1PrOtYpo")).onStart(null));
        assertTrue(refused.getMessage().contains("plan pro: Stripe has no price price_1PrOtYpo"), refused.getMessage());
        assertTrue(refused.getMessage().contains("STRIPE_PRICE_"), refused.getMessage());
    }

    /** The check as billing-service runs it: its own configuration (test profile), pointed at the emulator. */
    private static ValidatePrices validation(Map<String, String> overrides) throws IOException {
        Map<String, String> test = new HashMap<>(overrides);
        test.put("tollgate.billing.stripe.api-base", StripeEmulator.shared().apiBase());
        test.put("tollgate.tokens.issuer", "http://tollgate.test"); // common's, which this configuration lacks
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withProfile("test")
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(BillingConfig.class)
                .withMapping(FreeTier.class)
                .withSources(new PropertiesConfigSource(PriceValidationTest.class.getClassLoader()
                        .getResource("application.properties"), 250))
                .withSources(new PropertiesConfigSource(test, "overrides", 400))
                .build();
        BillingConfig billing = config.getConfigMapping(BillingConfig.class);
        PlanCatalog catalog = new PlanCatalog(billing, config.getConfigMapping(FreeTier.class));
        return new ValidatePrices(catalog, new StripeCalls(billing, new SimpleMeterRegistry()), billing);
    }
}
