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

    Checkout checkout();

    /**
     * auth-service's address as billing reaches it (defaults to the token issuer), asked which tenants a user runs
     * before their billing goes into an export; the REST client {@code auth} and billing's OIDC client use it.
     */
    String authUrl();

    /** How long a tenant whose payment failed keeps its paid plan before it is moved to the free plan. */
    @WithDefault("7d")
    Duration paymentGracePeriod();

    /** How often subscriptions whose grace period ran out are looked for. */
    @WithDefault("1m")
    Duration graceCheckEvery();

    Erasure erasure();

    Overage overage();

    StripeTasks stripeTasks();

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

        /** The secret API key ({@code sk_...}) stripe-java calls Stripe with. */
        @NotBlank
        String apiKey();

        /** Where Stripe's API is: Stripe itself, or the local emulator. */
        @WithDefault("https://api.stripe.com")
        String apiBase();

        /** How long one attempt may take to connect to Stripe's API. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** How long one attempt may wait for Stripe's answer. */
        @WithDefault("30s")
        Duration readTimeout();

        /** Whether start-up checks every configured price id against Stripe (it must exist, be active, recur). */
        @WithDefault("true")
        boolean validatePrices();
    }

    interface Checkout {
        /** Where Stripe sends the customer after paying; {@code {CHECKOUT_SESSION_ID}} is filled in by Stripe. */
        @NotBlank
        String successUrl();

        /** Where Stripe sends the customer who left the checkout. */
        @NotBlank
        String cancelUrl();

        /** Where the Customer Portal's back link goes. */
        @NotBlank
        String portalReturnUrl();
    }

    /** What {@code account.deleted} does to a deleted tenant's Stripe customer. */
    interface Erasure {
        /** {@code delete} the Stripe customer, or {@code anonymize} it (name, email, address, phone removed). */
        @WithDefault("delete")
        CustomerErasure customer();
    }

    /**
     * Usage of tenants on plans with overage, reported to a Stripe meter: all of it, so that the plan's metered
     * price (its first units included, the rest billed) makes the overage on Stripe's invoice.
     */
    interface Overage {
        /** The Stripe meter's event name. */
        @WithDefault("tollgate_tokens")
        String meterEventName();

        /** The usage metrics whose sum is reported. */
        @WithDefault("input_tokens,output_tokens")
        List<String> metrics();
    }

    /** The Stripe calls made once each, later (meter events, erasures). */
    interface StripeTasks {
        /** How often due Stripe tasks are looked for and carried out. */
        @WithDefault("2s")
        Duration every();

        /** How many due tasks one pass carries out at most. */
        @WithDefault("100")
        @Positive
        int batchSize();

        /** How long tasks carried out are kept. */
        @WithDefault("7d")
        Duration retention();

        /**
         * How long a replica holds the tasks it is carrying out: longer than a call with its retries takes (30 s).
         * A replica that stops mid-call leaves its tasks to others once this has passed.
         */
        @WithDefault("5m")
        Duration lease();

        /**
         * How long after a meter event's unanswered call it may still be sent again: inside Stripe's 24-hour window
         * in which it drops a second event with the same identifier. Past it, the task is parked for an operator.
         */
        @WithDefault("23h")
        Duration meterDedupeWindow();
    }

    enum CustomerErasure {
        DELETE,
        ANONYMIZE
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
        /** Requests one user may make per minute; 0 means no limit. */
        @PositiveOrZero
        int userPerMinute();

        /** Requests one user may make per hour; 0 means no limit. */
        @PositiveOrZero
        int userPerHour();

        /** Requests all users of one tenant may make together per minute; 0 means no limit. */
        @PositiveOrZero
        int tenantPerMinute();

        /** Requests all users of one tenant may make together per hour; 0 means no limit. */
        @PositiveOrZero
        int tenantPerHour();

        /** Requests one user may make within one second (the burst); at least 1. */
        @Positive
        int burstPerSecond();
    }
}
