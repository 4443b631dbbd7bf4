package dev.tollgate.billing.overage;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code usage.recorded}, for the Stripe meter. A redelivered event is queued once (the task's id is the event's);
 * an unreadable one goes to the dead-letter topic.
 */
@ApplicationScoped
public class UsageRecordedConsumer {

    static final String CHANNEL = "usage-recorded";
    private static final int RETRIES = 4;

    private final EventCodec codec;
    private final ReportUsage report;

    public UsageRecordedConsumer(EventCodec codec, ReportUsage report) {
        this.codec = codec;
        this.report = report;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> codec.decode(payload, EventType.USAGE_RECORDED))
                .chain(usage -> report.queue(usage)
                        // a database that hiccups delays the usage; only an unreadable record goes to the dead letters
                        .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(RETRIES))
                .replaceWithVoid();
    }
}
