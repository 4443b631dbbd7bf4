package dev.tollgate.gate;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the quota gate holds units and what it does while Redis cannot be reached. */
@ConfigMapping(prefix = "tollgate.gate")
public interface GateConfig {

    /**
     * How long units stay held for a caller that never settles (it crashed): then they are given back. A caller
     * still running keeps its reservation held ({@link QuotaGate#keepAlive}).
     */
    @WithDefault("2m")
    Duration reservationTtl();

    /** How long a period's counters are kept after the period ends (for reconciliation and late settles). */
    @WithDefault("40d")
    Duration counterRetention();

    /**
     * How long a reservation may be kept held while its call runs ({@link QuotaGate#keepAlive}): longer than the
     * longest stream or fallback chain.
     */
    @WithDefault("15m")
    Duration longestHold();

    /**
     * Whether quota decisions wait until metering-service has rebuilt Redis's counters from the ledger (its epoch
     * marker {@code tg:epoch}): a Redis that came back empty would otherwise admit everyone until the next
     * reconciliation. Off only where no metering-service runs.
     */
    @WithDefault("true")
    boolean awaitCounterRebuild();

    /** How long one Redis round trip may take before the gate treats Redis as unreachable. */
    @WithDefault("1s")
    Duration redisTimeout();

    /** Where a 402 (quota used up) sends the user to change plans. */
    @WithDefault("/billing/checkout")
    String upgradeUrl();

    WhenRedisUnavailable whenRedisUnavailable();

    interface WhenRedisUnavailable {
        /**
         * Quota decisions without Redis: {@code refuse} (default; nothing is given away that cannot be counted)
         * or {@code admit} (count nothing, refuse nothing).
         */
        @WithDefault("refuse")
        Policy quota();

        /**
         * Rate limits without Redis: {@code local} (default; each replica applies the limits on its own, so the
         * suite admits up to replicas times the limit), {@code admit} or {@code refuse}.
         */
        @WithDefault("local")
        Policy rate();
    }

    enum Policy {
        REFUSE,
        ADMIT,
        LOCAL
    }
}
