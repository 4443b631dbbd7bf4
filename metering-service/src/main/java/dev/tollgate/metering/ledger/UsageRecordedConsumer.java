package dev.tollgate.metering.ledger;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Takes {@code usage.recorded} in batches into the ledger: each batch in one statement, each event id once.
 * An unreadable record goes to {@code usage.recorded.dlq.metering}; while PostgreSQL is away the batch is
 * retried with backoff and the partition waits, so nothing is skipped or lost (offsets are committed only
 * after the batch is recorded).
 */
@ApplicationScoped
public class UsageRecordedConsumer {

    static final String CHANNEL = "usage-recorded";
    static final String DEAD_LETTERS = "usage-recorded-dlq";
    private static final Logger LOG = Logger.getLogger(UsageRecordedConsumer.class);

    private final EventCodec codec;
    private final LedgerRepository ledger;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry registry;

    public UsageRecordedConsumer(EventCodec codec, LedgerRepository ledger,
                                 @Channel(DEAD_LETTERS) MutinyEmitter<String> deadLetters, MeterRegistry registry) {
        this.codec = codec;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.registry = registry;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(List<String> payloads) {
        List<UsageRecorded> events = new ArrayList<>(payloads.size());
        List<Uni<Void>> rejected = new ArrayList<>();
        for (String payload : payloads) {
            try {
                events.add(codec.decode(payload, EventType.USAGE_RECORDED));
            } catch (EventCodec.UnreadableEventException e) {
                LOG.errorf("ledger: %s; sent to usage.recorded.dlq.metering", e.getMessage());
                registry.counter("tollgate.ledger.events", "outcome", "unreadable").increment();
                rejected.add(deadLetters.send(payload));
            }
        }
        Uni<Void> dead = rejected.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(rejected).andFailFast().replaceWithVoid();
        if (events.isEmpty()) {
            return dead;
        }
        return dead.chain(() -> ledger.record(events)
                .onFailure().invoke(e -> LOG.warnf("ledger: recording %d events failed, retrying: %s", events.size(),
                        e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(recorded -> {
                    registry.counter("tollgate.ledger.events", "outcome", "recorded").increment(recorded);
                    registry.counter("tollgate.ledger.events", "outcome", "duplicate").increment(events.size() - recorded);
                }))
                .replaceWithVoid();
    }
}
