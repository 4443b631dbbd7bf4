package dev.tollgate.metering.ledger;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Takes {@code usage.recorded} in batches into the ledger: each batch in one statement, each event id once,
 * each event in its tenant's billing period. An unreadable record becomes a dead letter ({@link DeadLetters}, re-driven
 * through {@link #redrive});
 * while PostgreSQL is away the batch is retried with backoff and the partition waits, so nothing is skipped or
 * lost (offsets are committed only after the batch is recorded). The periods the batch touched are announced as a
 * {@link LedgerBatchRecorded} CDI event (the threshold check observes it).
 */
@Startup
@ApplicationScoped
public class UsageRecordedConsumer {

    static final String CHANNEL = "usage-recorded";
    static final String CONSUMER = "metering-ledger";
    private static final Logger LOG = Logger.getLogger(UsageRecordedConsumer.class);

    private final EventCodec codec;
    private final LedgerRepository ledger;
    private final TenantPlans plans;
    private final Event<LedgerBatchRecorded> recorded;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final AtomicLong lagMillis = new AtomicLong();

    public UsageRecordedConsumer(EventCodec codec, LedgerRepository ledger, TenantPlans plans,
            Event<LedgerBatchRecorded> recorded, DeadLetters deadLetters, MeterRegistry registry) {
        this.codec = codec;
        this.ledger = ledger;
        this.plans = plans;
        this.recorded = recorded;
        this.deadLetters = deadLetters;
        this.registry = registry;
        registry.gauge("tollgate.ledger.lag.seconds", lagMillis, millis -> millis.get() / 1000.0);
        deadLetters.register(CONSUMER, EventType.USAGE_RECORDED.topic(), this::redrive);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(List<String> payloads) {
        List<UsageRecorded> events = new ArrayList<>(payloads.size());
        Map<String, EventCodec.UnreadableEventException> rejected = new LinkedHashMap<>();
        for (String payload : payloads) {
            try {
                events.add(codec.decode(payload, EventType.USAGE_RECORDED));
            } catch (EventCodec.UnreadableEventException e) {
                registry.counter("tollgate.ledger.events", "outcome", "unreadable").increment();
                rejected.put(payload, e);
            }
        }
        // one after the other: each keeps its dead letter in a transaction of its own on this context
        Uni<Void> dead = rejected.isEmpty() ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(rejected.entrySet())
                        .onItem().transformToUniAndConcatenate(unreadable -> deadLetters.record(CONSUMER,
                                EventType.USAGE_RECORDED.topic(), null, unreadable.getKey(), unreadable.getValue()))
                        .collect().last().replaceWithVoid();
        if (events.isEmpty()) {
            return dead;
        }
        return dead.chain(() -> record(events)
                .onFailure().invoke(e -> LOG.warnf("ledger: recording %d events failed, retrying: %s", events.size(),
                        e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely())
                .invoke(periods -> recorded.fire(new LedgerBatchRecorded(periods)))
                .replaceWithVoid();
    }

    /** A dead letter's second chance (after a fix that reads it): recorded like a batch of one. */
    Uni<Boolean> redrive(String payload) {
        return Uni.createFrom().item(() -> codec.decode(payload, EventType.USAGE_RECORDED))
                .chain(event -> record(List.of(event)))
                .invoke(periods -> recorded.fire(new LedgerBatchRecorded(periods)))
                .replaceWith(Boolean.TRUE);
    }

    /** Records the batch; answers the tenant periods it touched. */
    private Uni<Set<TenantPeriod>> record(List<UsageRecorded> events) {
        Set<UUID> tenants = new LinkedHashSet<>();
        events.forEach(event -> tenants.add(event.tenantId()));
        return plans.of(tenants).chain(tenantPlans -> {
            List<Instant> starts = new ArrayList<>(events.size());
            Set<TenantPeriod> periods = new LinkedHashSet<>();
            for (UsageRecorded event : events) {
                Instant start = tenantPlans.get(event.tenantId()).period(event.occurredAt()).start();
                starts.add(start);
                periods.add(new TenantPeriod(event.tenantId(), start));
            }
            return ledger.record(events, starts).map(recorded -> {
                count(events, recorded);
                return periods;
            });
        });
    }

    private void count(List<UsageRecorded> events, int recorded) {
        registry.counter("tollgate.ledger.events", "outcome", "recorded").increment(recorded);
        registry.counter("tollgate.ledger.events", "outcome", "duplicate").increment(events.size() - recorded);
        Instant newest = events.stream().map(UsageRecorded::occurredAt).max(Instant::compareTo).orElseThrow();
        lagMillis.set(Math.max(0, Duration.between(newest, Instant.now()).toMillis()));
    }
}
