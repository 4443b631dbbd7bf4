package dev.tollgate.common.erasure;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/** How an erasure deletes a user's and their tenants' rows without holding up anyone else's writes. */
@ConfigMapping(prefix = "tollgate.erasure")
public interface ErasureConfig {

    /**
     * The longest an erasure waits for the writes in flight of its user and tenants before it marks them erased; a
     * write of theirs that comes meanwhile waits behind it at most as long. Past it, the erasure is tried again.
     */
    @WithDefault("2s")
    Duration lockTimeout();

    /** Rows deleted (or pseudonymized) per transaction. */
    @WithDefault("1000")
    @Min(10)
    @Max(100000)
    int batchSize();

    /** How often a replica looks for erasures to go on with; a new one starts within this. */
    @WithDefault("1s")
    Duration batchEvery();
}
