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

    /** How often the totals of the periods that ledger batches touched are compared with their quotas. */
    @WithDefault("1s")
    Duration thresholdsEvery();

    /** The longest span {@code GET /usage/history} answers for at once. */
    @WithDefault("400d")
    Duration historyMaxSpan();
}
