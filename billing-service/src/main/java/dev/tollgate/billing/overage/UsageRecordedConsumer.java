package dev.tollgate.billing.overage;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.common.inbox.TransientFaults;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code usage.recorded}, for the Stripe meter. A redelivered event is queued once (the task's id is the event's),
 * so this consumer needs no inbox. A database that is away is waited out; an unreadable record, or one that keeps
 * failing for a reason of its own, becomes a dead letter ({@link DeadLetters}) and the partition goes on.
 */
@Startup
@ApplicationScoped
public class UsageRecordedConsumer {

    static final String CHANNEL = "usage-recorded";
    static final String CONSUMER = "billing-overage";
    private static final int RETRIES = 4;

    private final EventCodec codec;
    private final ReportUsage report;
    private final DeadLetters deadLetters;

    public UsageRecordedConsumer(EventCodec codec, ReportUsage report, DeadLetters deadLetters) {
        this.codec = codec;
        this.report = report;
        this.deadLetters = deadLetters;
        deadLetters.register(CONSUMER, EventType.USAGE_RECORDED.topic(), this::redrive);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        UsageRecorded usage;
        try {
            usage = codec.decode(payload, EventType.USAGE_RECORDED);
        } catch (EventCodec.UnreadableEventException e) {
            return deadLetters.record(CONSUMER, EventType.USAGE_RECORDED.topic(), null, payload, e);
        }
        return report.queue(usage)
                .onFailure(TransientFaults::isTransient).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(RETRIES)
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> deadLetters.record(CONSUMER, EventType.USAGE_RECORDED.topic(),
                        usage.eventId(), payload, e));
    }

    /** A dead letter's second chance: queued once, like a record. */
    Uni<Boolean> redrive(String payload) {
        return Uni.createFrom().item(() -> codec.decode(payload, EventType.USAGE_RECORDED))
                .chain(report::queue)
                .replaceWith(Boolean.TRUE); // queued now, queued before, or not metered: handled either way
    }
}
