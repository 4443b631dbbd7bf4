package dev.tollgate.common.inbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/** How long the inbox remembers the events it applied, and how it re-drives the ones it could not apply. */
@ConfigMapping(prefix = "tollgate.inbox")
public interface InboxConfig {

    /**
     * How long an applied event's id is kept to recognise a redelivery; keep it longer than Kafka keeps records
     * (7 days by default), since only a record still on a topic can be delivered again. Resolved dead letters are
     * kept as long.
     */
    @WithDefault("P30D")
    Duration retention();

    /** The automatic re-drive of dead letters ({@link DeadLetters}). */
    DeadLetterConfig deadLetters();

    interface DeadLetterConfig {

        /** How often a replica looks for dead letters due for a re-drive. */
        @WithDefault("1m")
        Duration redriveEvery();

        /** How many times a dead letter is re-driven automatically before it waits for an operator. */
        @WithDefault("5")
        @Min(0)
        @Max(20)
        int redriveAttempts();

        /** The pause before the first automatic re-drive; each later one waits four times longer (at most a day). */
        @WithDefault("1m")
        Duration firstPause();
    }
}
