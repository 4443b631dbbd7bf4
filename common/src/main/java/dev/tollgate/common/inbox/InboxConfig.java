package dev.tollgate.common.inbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long the inbox remembers the events it applied. */
@ConfigMapping(prefix = "tollgate.inbox")
public interface InboxConfig {

    /**
     * How long an applied event's id is kept to recognise a redelivery; keep it longer than Kafka keeps records
     * (7 days by default), since only a record still on a topic can be delivered again.
     */
    @WithDefault("P30D")
    Duration retention();
}
