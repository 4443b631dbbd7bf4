package dev.tollgate.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Stripe and the plan catalog. */
@ConfigMapping(prefix = "tollgate.billing")
public interface BillingConfig {

    Stripe stripe();

    /**
     * The paid plans by name ({@code basic}, {@code pro}, {@code enterprise}); the free plan is the free tier
     * ({@code tollgate.free-tier.*}).
     */
    Map<String, Plan> plans();

    interface Stripe {
        /** The webhook endpoint's signing secret ({@code whsec_...}); every event is verified with it. */
        @NotBlank
        String webhookSecret();

        /** How old a signed event may be (Stripe's own default: 5 minutes). */
        @WithDefault("300s")
        Duration webhookTolerance();
    }

    interface Plan {
        /** The name shown to users, e.g. {@code Pro}. */
        String title();

        /** The monthly price in cents (USD); 0 for a plan priced by contract. */
        @PositiveOrZero
        long monthlyPriceCents();

        /** Its Stripe price id ({@code price_...}), from the environment. */
        Optional<String> stripePriceId();

        /** Metric to units per billing period, e.g. {@code quotas.generations=2000}. */
        Map<String, @PositiveOrZero Long> quotas();

        /** The models the plan may call; empty allows any. */
        Optional<List<String>> allowedModels();

        /** Boolean features the plan has. */
        Optional<List<String>> features();

        /** Whether usage past a quota is billed as overage instead of refused. */
        @WithDefault("false")
        boolean overageAllowed();

        Rates rateLimits();
    }

    /** Requests per window; zero means no such limit. */
    interface Rates {
        @PositiveOrZero
        int userPerMinute();

        @PositiveOrZero
        int userPerHour();

        @PositiveOrZero
        int tenantPerMinute();

        @PositiveOrZero
        int tenantPerHour();

        @Positive
        int burstPerSecond();
    }
}
