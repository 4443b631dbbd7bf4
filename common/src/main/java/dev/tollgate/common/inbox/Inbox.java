package dev.tollgate.common.inbox;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.TollgateEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Applies each consumed event at most once per consumer. The event id is recorded in the same transaction as
 * the event's effect, so a redelivered record (a rebalance, a relay that published twice, a crash before the
 * offset commit) changes nothing. A passing fault ({@link TransientFaults}: the database away, a deadlock) is waited
 * out, retried with a growing pause up to {@link #LONGEST_PAUSE} for as long as it lasts; only an event that cannot
 * apply (unreadable, or failing for a reason of its own) fails, and the channel's dead-letter strategy moves that one
 * record aside instead of blocking the partition.
 */
@ApplicationScoped
public class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class);
    private static final int RETRIES = 4;
    /** The longest pause between two tries while a passing fault lasts. */
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    private final EventCodec codec;
    private final MeterRegistry registry;

    public Inbox(EventCodec codec, MeterRegistry registry) {
        this.codec = codec;
        this.registry = registry;
    }

    /**
     * Decodes {@code payload} as {@code type} and, unless {@code consumer} applied its event id before, runs
     * {@code effect} in one transaction with the record of the event id.
     *
     * @return whether the effect ran (false for a duplicate)
     */
    public <E extends TollgateEvent> Uni<Boolean> apply(String consumer, EventType<E> type, String payload,
            Function<E, Uni<?>> effect) {
        E event;
        try {
            event = codec.decode(payload, type);
        } catch (EventCodec.UnreadableEventException e) {
            count(consumer, type, "unreadable");
            LOG.errorf("inbox %s: %s; sent to the dead-letter topic", consumer, e.getMessage());
            return Uni.createFrom().failure(e);
        }
        E decoded = event;
        return Panache.withTransaction(() -> claim(consumer, type, decoded)
                .flatMap(claimed -> claimed
                        ? effect.apply(decoded).replaceWith(Boolean.TRUE)
                        : Uni.createFrom().item(Boolean.FALSE)))
                // a passing fault is waited out however long it lasts; nothing is dead-lettered for it
                .onFailure(TransientFaults::isTransient).invoke(e -> waiting(consumer, type, decoded, e))
                .onFailure(TransientFaults::isTransient).retry().withBackOff(Duration.ofMillis(200), LONGEST_PAUSE)
                .indefinitely()
                // an effect that keeps failing for a reason of its own goes to the dead-letter topic
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(RETRIES)
                .invoke(applied -> count(consumer, type, applied ? "applied" : "duplicate"))
                .onFailure().invoke(e -> {
                    count(consumer, type, "failed");
                    LOG.errorf(e, "inbox %s: applying %s event %s failed %d times; sent to the dead-letter topic",
                            consumer, type.topic(), decoded.eventId(), RETRIES + 1);
                });
    }

    private Uni<Boolean> claim(String consumer, EventType<?> type, TollgateEvent event) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery(
                "insert into {h-schema}inbox (consumer, event_id, topic) values (:consumer, :eventId, :topic) "
                        + "on conflict do nothing")
                .setParameter("consumer", consumer)
                .setParameter("eventId", event.eventId())
                .setParameter("topic", type.topic())
                .executeUpdate())
                .map(inserted -> inserted == 1);
    }

    private void waiting(String consumer, EventType<?> type, TollgateEvent event, Throwable fault) {
        count(consumer, type, "waited");
        LOG.warnf("inbox %s: %s event %s waits for a passing fault, tried again shortly: %s", consumer, type.topic(),
                event.eventId(), fault.toString());
    }

    private void count(String consumer, EventType<?> type, String outcome) {
        registry.counter("tollgate.inbox.events", "consumer", consumer, "topic", type.topic(), "outcome", outcome)
                .increment();
    }
}
