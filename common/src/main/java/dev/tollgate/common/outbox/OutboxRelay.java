package dev.tollgate.common.outbox;

import dev.tollgate.common.config.ServiceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes committed outbox rows to Kafka as CloudEvents and marks them published in the same transaction
 * that locked them. If the broker does not acknowledge, the transaction rolls back and the rows are tried
 * again on the next pass: an event may be published twice (consumers dedupe on the event id), never lost.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "tollgate-outbox";
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxRepository repository;
    private final OutboxConfig config;
    private final MutinyEmitter<String> emitter;
    private final URI source;
    private final Counter published;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();

    public OutboxRelay(OutboxRepository repository, OutboxConfig config, ServiceConfig service,
            @Channel(CHANNEL) MutinyEmitter<String> emitter, MeterRegistry registry) {
        this.repository = repository;
        this.config = config;
        this.emitter = emitter;
        this.source = URI.create("/tollgate/" + service.name());
        this.published = Counter.builder("tollgate.outbox.published")
                .description("Events the outbox relay published to Kafka").register(registry);
        this.failures = Counter.builder("tollgate.outbox.publish.failures")
                .description("Relay passes that failed and will be retried").register(registry);
        registry.gauge("tollgate.outbox.pending", pending);
    }

    @Scheduled(identity = "outbox-relay", every = "${tollgate.outbox.poll-interval}", skipExecutionIf = UntilStarted.class, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        Uni<Void> pass = emitter.hasRequests()
                ? Panache.withTransaction(() -> repository.lockUnpublished(config.batchSize())
                        .flatMap(this::publishAll))
                        .replaceWithVoid()
                        .onFailure().invoke(e -> {
                            failures.increment();
                            LOG.warnf("outbox relay: publishing failed, rows stay unpublished and are retried: %s",
                                    e.getMessage());
                        })
                        .onFailure().recoverWithNull()
                // the Kafka channel is not wired yet (start-up) or takes nothing (the broker away): rows wait
                : Uni.createFrom().voidItem();
        // what waits is counted after every pass, published or not, so a backlog shows while Kafka is away
        return pass.chain(() -> Panache.withSession(repository::countUnpublished))
                .invoke(pending::set)
                .onFailure().invoke(e -> LOG.debugf("outbox relay: the unpublished rows cannot be counted: %s",
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    @Scheduled(identity = "outbox-cleanup", every = "1h", delayed = "1m")
    Uni<Void> removePublished() {
        Instant before = Instant.now().minus(config.retention());
        return Panache.withTransaction(() -> repository.delete("publishedAt < ?1", before))
                .invoke(removed -> LOG.debugf("outbox: removed %d published events older than %s", removed, before))
                .replaceWithVoid();
    }

    /**
     * Holds the relay back until the application has started: the scheduler may fire before the messaging
     * channels are wired, and creating the relay then would fail to connect its emitter.
     */
    @Singleton
    public static class UntilStarted implements Scheduled.SkipPredicate {

        private volatile boolean started;

        void onStart(@Observes StartupEvent event) {
            started = true;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !started;
        }
    }

    private Uni<Integer> publishAll(List<OutboxMessage> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<Uni<Void>> sends = rows.stream().map(this::publish).toList();
        Instant now = Instant.now();
        return Uni.join().all(sends).andFailFast()
                .invoke(() -> rows.forEach(row -> row.publishedAt = now))
                .invoke(() -> published.increment(rows.size()))
                .replaceWith(rows.size());
    }

    private Uni<Void> publish(OutboxMessage row) {
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String> builder()
                .withTopic(row.topic)
                .withKey(row.messageKey)
                .build();
        OutgoingCloudEventMetadata<String> cloudEvent = OutgoingCloudEventMetadata.<String> builder()
                .withId(row.eventId.toString())
                .withType(row.eventType)
                .withSource(source)
                .withSubject(row.messageKey)
                .withTimestamp(row.occurredAt.atZone(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .build();
        return emitter.sendMessage(Message.of(row.payload).addMetadata(kafka).addMetadata(cloudEvent));
    }
}
