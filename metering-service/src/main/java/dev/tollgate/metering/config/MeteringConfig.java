package dev.tollgate.metering.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** metering-service's own settings. */
@ConfigMapping(prefix = "tollgate.metering")
public interface MeteringConfig {

    /** How often the quota counters in Redis are compared with the ledger and corrected. */
    @WithDefault("5m")
    Duration reconcileEvery();

    /**
     * How often Redis is looked at for the gate's epoch marker: missing (Redis is new or came back empty), every
     * counter is rebuilt from the ledger at once.
     */
    @WithDefault("1s")
    Duration epochCheckEvery();

    /**
     * How long a rebuild of the counters waits for the ledger to record every usage event already published; past
     * it, the counters are rebuilt from what the ledger holds and raised as it catches up.
     */
    @WithDefault("30s")
    Duration rebuildWaitsForLedger();

    /** How often the totals of the periods that ledger batches touched are compared with their quotas. */
    @WithDefault("1s")
    Duration thresholdsEvery();

    /** The longest span {@code GET /usage/history} answers for at once. */
    @WithDefault("400d")
    Duration historyMaxSpan();
}
