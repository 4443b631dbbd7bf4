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
 * apply (unreadable, or failing for a reason of its own) is kept aside as a dead letter ({@link DeadLetters}), one
 * record at a time, and the partition goes on. A consumer takes a {@link Handler} once, at start-up (its class is
 * {@code @Startup}), so that its dead letters can be re-driven through it from the first moment.
 */
@ApplicationScoped
public class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class);
    private static final int RETRIES = 4;
    /** The longest pause between two tries while a passing fault lasts. */
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;

    public Inbox(EventCodec codec, DeadLetters deadLetters, MeterRegistry registry) {
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.registry = registry;
    }

    /**
     * How {@code consumer} applies {@code type}: {@code effect} runs in one transaction with the record of the event
     * id. Registers the consumer for re-driving its dead letters.
     */
    public <E extends TollgateEvent> Handler<E> handler(String consumer, EventType<E> type,
            Function<E, Uni<?>> effect) {
        Handler<E> handler = new Handler<>(consumer, type, effect);
        deadLetters.register(consumer, type.topic(), handler::redrive);
        return handler;
    }

    /** One consumer's way of applying one event type. */
    public final class Handler<E extends TollgateEvent> {

        private final String consumer;
        private final EventType<E> type;
        private final Function<E, Uni<?>> effect;

        private Handler(String consumer, EventType<E> type, Function<E, Uni<?>> effect) {
            this.consumer = consumer;
            this.type = type;
            this.effect = effect;
        }

        /**
         * Decodes {@code payload} and, unless this consumer applied its event id before, runs the effect. An event
         * that cannot apply becomes a dead letter and completes the record.
         *
         * @return whether the effect ran (false for a duplicate or a dead letter)
         */
        public Uni<Boolean> apply(String payload) {
            E event;
            try {
                event = codec.decode(payload, type);
            } catch (EventCodec.UnreadableEventException e) {
                count("unreadable");
                return deadLetters.record(consumer, type.topic(), null, payload, e).replaceWith(Boolean.FALSE);
            }
            E decoded = event;
            return once(decoded)
                    // a passing fault is waited out however long it lasts; nothing is dead-lettered for it
                    .onFailure(TransientFaults::isTransient).invoke(e -> waiting(decoded, e))
                    .onFailure(TransientFaults::isTransient).retry().withBackOff(Duration.ofMillis(200), LONGEST_PAUSE)
                    .indefinitely()
                    // an effect that keeps failing for a reason of its own becomes a dead letter
                    .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(RETRIES)
                    .invoke(applied -> count(applied ? "applied" : "duplicate"))
                    .onFailure().recoverWithUni(e -> {
                        count("failed");
                        LOG.errorf(e, "inbox %s: applying %s event %s failed %d times", consumer, type.topic(),
                                decoded.eventId(), RETRIES + 1);
                        return deadLetters.record(consumer, type.topic(), decoded.eventId(), payload, e)
                                .replaceWith(Boolean.FALSE);
                    });
        }

        /** A dead letter's second chance: applied once like a record, any failure answered to the re-drive. */
        Uni<Boolean> redrive(String payload) {
            return Uni.createFrom().item(() -> codec.decode(payload, type)).chain(this::once)
                    .invoke(applied -> count(applied ? "redriven" : "duplicate"));
        }

        private Uni<Boolean> once(E event) {
            return Panache.withTransaction(() -> claim(event)
                    .flatMap(claimed -> claimed
                            ? effect.apply(event).replaceWith(Boolean.TRUE)
                            : Uni.createFrom().item(Boolean.FALSE)));
        }

        private Uni<Boolean> claim(TollgateEvent event) {
            return Panache.getSession().flatMap(session -> session.createNativeQuery(
                    "insert into {h-schema}inbox (consumer, event_id, topic) values (:consumer, :eventId, :topic) "
                            + "on conflict do nothing")
                    .setParameter("consumer", consumer)
                    .setParameter("eventId", event.eventId())
                    .setParameter("topic", type.topic())
                    .executeUpdate())
                    .map(inserted -> inserted == 1);
        }

        private void waiting(TollgateEvent event, Throwable fault) {
            count("waited");
            LOG.warnf("inbox %s: %s event %s waits for a passing fault, tried again shortly: %s", consumer,
                    type.topic(), event.eventId(), fault.toString());
        }

        private void count(String outcome) {
            registry.counter("tollgate.inbox.events", "consumer", consumer, "topic", type.topic(), "outcome",
                    outcome).increment();
        }
    }
}
