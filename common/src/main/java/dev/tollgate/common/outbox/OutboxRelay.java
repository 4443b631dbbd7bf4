package dev.tollgate.common.outbox;

import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.schedule.JobRuns;
import dev.tollgate.common.trace.TraceParents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes committed outbox rows to Kafka as CloudEvents and marks them published in the same transaction that
 * locked them: an event may be published twice (consumers dedupe on the event id), never lost.
 * <ul>
 * <li>One key's rows (a tenant's events) go out one after the other, and the key belongs to one relay replica at a
 * time: a pass first takes its keys (transaction-level advisory locks), then reads their due rows, so it sees what
 * the replica that held a key before committed. A tenant's events keep their order across replicas.</li>
 * <li>Rows are judged one by one: a row the broker refuses waits and is tried again with a growing pause, holding back
 * only the later rows of its key. A row that can never be published (too large, an invalid or forbidden topic), or
 * that keeps failing for a reason of its own (its topic unknown) while the broker takes other rows, is parked with
 * its error: an alert, and an operator re-drives or discards it ({@code docs/operations.md#outbox-event-parked}).
 * A fault of the broker (a leader moving, too few replicas) parks nothing: rows wait for as long as it lasts.</li>
 * <li>A replica's relay is woken by {@link Outbox#append}: it looks a few milliseconds later, and again after
 * 20 ms, 100 ms, 500 ms and 2 s while the writing transaction may not have committed, so a new event goes out at once
 * without polling the database while nothing happens. Rows no wake announces (written by a replica that died, or
 * whose key another replica held) are found by the pass every {@code tollgate.outbox.poll-interval} (5 s).</li>
 * <li>A pass that published something is followed at once by the next: a backlog (after a broker outage) drains as
 * fast as the broker takes it, {@code batch-size} rows per pass, the oldest first.</li>
 * </ul>
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "tollgate-outbox";
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The longest pause before a refused row is tried again. */
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(1);
    /** A retried row is parked only if the broker took another row this recently: it is the row, not the broker. */
    static final Duration BROKER_HEALTHY_WITHIN = Duration.ofMinutes(10);
    /** After a wake: the first look, then the looks again while the writing transaction may still be open. */
    static final long FIRST_LOOK_MILLIS = 2;
    static final long[] LOOKS_AGAIN_MILLIS = { 20, 100, 500, 2000 };
    /** The passes one drain makes at most before it lets the poll count what waits (and goes on at once). */
    static final int PASSES_PER_DRAIN = 50;

    private final OutboxRepository repository;
    private final OutboxConfig config;
    private final JobRuns jobs;
    private final MutinyEmitter<String> emitter;
    private final URI source;
    private final Counter published;
    private final Counter failures;
    private final Counter parkings;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final Vertx vertx;
    /** A drain is under way on this replica; passes never overlap here. */
    private final AtomicBoolean running = new AtomicBoolean();
    /** A drain was asked for while one ran: one more when it ends. */
    private final AtomicBoolean wanted = new AtomicBoolean();
    /** A wake's timer is set. */
    private final AtomicBoolean timerSet = new AtomicBoolean();
    /** The looks a wake still asks for (of {@link #LOOKS_AGAIN_MILLIS}). */
    private final AtomicInteger looksLeft = new AtomicInteger();
    private volatile Instant lastPublished;

    public OutboxRelay(OutboxRepository repository, OutboxConfig config, ServiceConfig service, JobRuns jobs,
            @Channel(CHANNEL) MutinyEmitter<String> emitter, Vertx vertx, MeterRegistry registry) {
        this.repository = repository;
        this.config = config;
        this.jobs = jobs;
        this.vertx = vertx;
        this.emitter = emitter;
        this.source = URI.create("/tollgate/" + service.name());
        this.published = Counter.builder("tollgate.outbox.published")
                .description("Events the outbox relay published to Kafka").register(registry);
        this.failures = Counter.builder("tollgate.outbox.publish.failures")
                .description("Events the broker refused (each tried again later or parked), and relay passes that "
                        + "could not complete")
                .register(registry);
        this.parkings = Counter.builder("tollgate.outbox.parkings")
                .description("Events parked because they cannot be published").register(registry);
        registry.gauge("tollgate.outbox.pending", pending);
        registry.gauge("tollgate.outbox.parked", parked);
    }

    /** The pass of every poll interval: finds what no wake announced, and counts what waits. */
    @Scheduled(identity = "outbox-relay", every = "${tollgate.outbox.poll-interval}", skipExecutionIf = UntilStarted.class, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        // what waits is counted after every poll, published or not, so a backlog shows while Kafka is away
        return drain().chain(() -> Panache.withSession(() -> repository.countWaiting()
                .invoke(pending::set)
                .chain(repository::countParked)
                .invoke(parked::set)))
                .onFailure().invoke(e -> LOG.debugf("outbox relay: the unpublished rows cannot be counted: %s",
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * An event was written in a transaction that commits soon: look for it at once, and a few times more while the
     * transaction may still be open. Cheap to call often: the looks of many wakes are one.
     */
    public void wake() {
        looksLeft.set(LOOKS_AGAIN_MILLIS.length);
        look(FIRST_LOOK_MILLIS);
    }

    private void look(long delayMillis) {
        if (!timerSet.compareAndSet(false, true)) {
            return; // a look is already set; it sees this row too
        }
        vertx.setTimer(delayMillis, id -> {
            timerSet.set(false);
            // a context of its own, as a scheduled method has, for the relay's database session
            Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            context.runOnContext(ignored -> drain().subscribe().with(published -> {
                int left = looksLeft.get();
                if (published == 0 && left > 0 && looksLeft.compareAndSet(left, left - 1)) {
                    look(LOOKS_AGAIN_MILLIS[LOOKS_AGAIN_MILLIS.length - left]);
                }
            }, e -> LOG.debugf("outbox relay: a look failed: %s", e.getMessage())));
        });
    }

    /**
     * Passes one after the other while they publish something; answers how many rows went out. At most one drain
     * runs on a replica: a drain asked for meanwhile runs when it ends.
     */
    Uni<Integer> drain() {
        // asked for before the running drain is looked at: a drain that ends meanwhile sees it and starts another
        wanted.set(true);
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        wanted.set(false);
        AtomicInteger total = new AtomicInteger();
        AtomicInteger passes = new AtomicInteger();
        AtomicInteger last = new AtomicInteger();
        return Uni.createFrom().deferred(this::pass)
                .invoke(count -> {
                    total.addAndGet(count);
                    last.set(count);
                })
                .repeat().whilst(count -> count > 0 && passes.incrementAndGet() < PASSES_PER_DRAIN)
                .collect().last()
                .onTermination().invoke(() -> {
                    running.set(false);
                    // asked for meanwhile, or cut short with rows left: the next drain starts on its own
                    if (wanted.get() || last.get() > 0) {
                        look(1);
                    }
                })
                .map(ignored -> total.get());
    }

    /** One pass: takes up to {@code batch-size} due rows of keys no other replica holds, publishes, marks them. */
    private Uni<Integer> pass() {
        if (!emitter.hasRequests()) {
            // the Kafka channel is not wired yet (start-up) or takes nothing (the broker away): rows wait
            return Uni.createFrom().item(0);
        }
        return Panache.withTransaction(() -> repository.lockDueKeys(config.batchSize())
                .chain(keys -> repository.lockDue(keys, config.batchSize()))
                .flatMap(this::publishAll))
                // counted once the transaction that marks them committed
                .invoke(count -> published.increment(count))
                .onFailure().invoke(e -> {
                    failures.increment();
                    LOG.warnf("outbox relay: a pass failed, its rows stay unpublished and are retried: %s",
                            e.getMessage());
                })
                .onFailure().recoverWithItem(0);
    }

    @Scheduled(identity = "outbox-cleanup", every = "1h", delayed = "1m")
    Uni<Void> removePublished() {
        return jobs.once("outbox-cleanup", Duration.ofHours(1), () -> {
            Instant before = Instant.now().minus(config.retention());
            return Panache.withTransaction(() -> repository.delete("publishedAt < ?1", before))
                    .invoke(removed -> LOG.debugf("outbox: removed %d published events older than %s", removed,
                            before));
        });
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

        /** Whether the application has started (and the relay may be created). */
        public boolean started() {
            return started;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !started;
        }
    }

    /** A row the broker refused in this pass. */
    private record Refusal(OutboxMessage row, Throwable error) {
    }

    private Uni<Integer> publishAll(List<OutboxMessage> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Map<String, List<OutboxMessage>> byKey = new LinkedHashMap<>();
        rows.forEach(row -> byKey.computeIfAbsent(row.messageKey, key -> new ArrayList<>()).add(row));
        List<Refusal> refusals = Collections.synchronizedList(new ArrayList<>());
        List<Long> sent = Collections.synchronizedList(new ArrayList<>());
        List<Uni<Integer>> keys = byKey.values().stream().map(keyRows -> inOrder(keyRows, sent, refusals)).toList();
        return Uni.join().all(keys).andFailFast() // each key's refusals are recovered into refusals
                .chain(counts -> {
                    Instant now = Instant.now();
                    refusals.forEach(refusal -> refused(refusal.row(), refusal.error(), now));
                    // one statement marks what went out (refused rows are updated as entities at the flush)
                    return repository.markPublished(List.copyOf(sent), now).replaceWith(sent.size());
                });
    }

    /** One key's rows one after the other; the first refusal stops the rest of the key until a later pass. */
    private Uni<Integer> inOrder(List<OutboxMessage> rows, List<Long> sent, List<Refusal> refusals) {
        AtomicBoolean stopped = new AtomicBoolean();
        return Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(row -> stopped.get() ? Uni.createFrom().item(0)
                        : publish(row).map(ignored -> {
                            lastPublished = Instant.now();
                            sent.add(row.id);
                            return 1;
                        }).onFailure().recoverWithItem(e -> {
                            stopped.set(true);
                            refusals.add(new Refusal(row, e));
                            return 0;
                        }))
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    /** Notes a refusal on the row: tried again after a pause, or parked when it can never go out. */
    private void refused(OutboxMessage row, Throwable error, Instant now) {
        failures.increment();
        row.attempts++;
        row.lastError = describe(error);
        boolean brokerTakesOthers = lastPublished != null && lastPublished.isAfter(now.minus(BROKER_HEALTHY_WITHIN));
        if (unpublishable(error)
                || (row.attempts >= config.maxAttempts() && brokerTakesOthers && !passing(error))) {
            row.parkedAt = now;
            row.nextAttemptAt = null;
            parkings.increment();
            LOG.errorf("alert: outbox: event %s (%s on %s, key %s) is parked after %d attempts; the later events of "
                    + "its key wait until it is re-driven or discarded: %s", row.eventId, row.eventType, row.topic,
                    row.messageKey, row.attempts, row.lastError);
            return;
        }
        row.nextAttemptAt = now.plus(pause(row.attempts));
        LOG.warnf("outbox relay: event %s (%s, key %s) refused (attempt %d), tried again at %s: %s", row.eventId,
                row.topic, row.messageKey, row.attempts, row.nextAttemptAt, row.lastError);
    }

    /** 1 s, 2 s, 4 s, ... up to {@link #LONGEST_PAUSE}. */
    static Duration pause(int attempts) {
        long seconds = 1L << Math.min(Math.max(attempts - 1, 0), 16);
        Duration pause = Duration.ofSeconds(seconds);
        return pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause;
    }

    /** Errors no retry mends: the record itself is wrong for the broker, or its topic is. */
    static boolean unpublishable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                    || cause instanceof InvalidTopicException || cause instanceof TopicAuthorizationException
                    || cause instanceof SerializationException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * Errors of the broker, not of the row (a leader moving, too few in-sync replicas, a request timing out): the
     * row waits for as long as they last and is never parked for them. A topic the broker does not know stays a
     * fault of the row: its events can go nowhere until the topic exists.
     */
    static boolean passing(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof UnknownTopicOrPartitionException
                    || String.valueOf(cause.getMessage()).contains("not present in metadata")) {
                return false;
            }
            if (cause instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + ": " + root.getMessage();
        return text.length() > 1000 ? text.substring(0, 1000) : text;
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
        Message<String> message = Message.of(row.payload).addMetadata(kafka).addMetadata(cloudEvent);
        if (row.traceParent != null) {
            // published in the trace of the request that wrote it: the producer span and the consumers' spans join it
            message = message.addMetadata(TracingMetadata.withCurrent(TraceParents.context(row.traceParent)));
        }
        return emitter.sendMessage(message);
    }
}
