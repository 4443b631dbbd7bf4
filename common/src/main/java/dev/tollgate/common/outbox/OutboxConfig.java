package dev.tollgate.common.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/** How the outbox relay publishes. */
@ConfigMapping(prefix = "tollgate.outbox")
public interface OutboxConfig {

    /**
     * How often the relay looks for unpublished events no wake announced (written by a replica that stopped, or
     * whose tenant another replica's relay held), and counts what waits. A new event wakes its replica's relay at
     * once.
     */
    @WithDefault("5s")
    Duration pollInterval();

    /** How many events one relay pass locks and publishes at most (a backlog drains pass after pass). */
    @WithDefault("500")
    @Min(1)
    @Max(10_000)
    int batchSize();

    /**
     * How many times the broker may refuse an event, while it takes others, before the event is parked for an
     * operator (an event it can never take, too large or for a forbidden topic, is parked at once).
     */
    @WithDefault("10")
    @Min(1)
    int maxAttempts();

    /** How long a published event stays in the table before it is removed. */
    @WithDefault("P7D")
    Duration retention();
}
