package dev.tollgate.common.plan;

import dev.tollgate.common.event.Entitlements;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a tenant may do before billing-service has announced a subscription for it ({@code subscription.changed}):
 * the free tier. Services that apply entitlements (metering, generation) fall back to these.
 */
@ConfigMapping(prefix = "tollgate.free-tier")
public interface FreeTier {

    /** The plan's name in answers and events. */
    @WithDefault("free")
    String plan();

    /** Metric to units per billing period (calendar month), e.g. {@code tollgate.free-tier.quotas.generations=100}. */
    Map<String, @PositiveOrZero Long> quotas();

    Rates rateLimits();

    /** The models the tier may call; empty allows any. */
    Optional<Set<String>> allowedModels();

    /** Boolean features the tier has. */
    Optional<Set<String>> features();

    /** Whether usage past a quota is billed (true) or refused (false, the free tier's default). */
    @WithDefault("false")
    boolean overageAllowed();

    /** Requests per window; zero means no such limit. */
    interface Rates {
        /** Requests one user may make per minute; 0 means no limit. */
        @WithDefault("60")
        @PositiveOrZero
        int userPerMinute();

        /** Requests one user may make per hour; 0 means no limit. */
        @WithDefault("1000")
        @PositiveOrZero
        int userPerHour();

        /** Requests all users of one tenant may make together per minute; 0 means no limit. */
        @WithDefault("600")
        @PositiveOrZero
        int tenantPerMinute();

        /** Requests all users of one tenant may make together per hour; 0 means no limit. */
        @WithDefault("10000")
        @PositiveOrZero
        int tenantPerHour();

        /** Requests one user may make within one second (the burst); 0 means no limit. */
        @WithDefault("10")
        @PositiveOrZero
        int burstPerSecond();
    }

    default Entitlements entitlements() {
        Rates rates = rateLimits();
        return new Entitlements(quotas(), new Entitlements.RateLimits(rates.userPerMinute(), rates.userPerHour(),
                rates.tenantPerMinute(), rates.tenantPerHour(), rates.burstPerSecond()),
                allowedModels().orElse(Set.of()), features().orElse(Set.of()), overageAllowed());
    }
}
