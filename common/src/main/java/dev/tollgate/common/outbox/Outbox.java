package dev.tollgate.common.outbox;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.TollgateEvent;
import dev.tollgate.common.trace.TraceParents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Where a service writes the events it produces. Call it inside the transaction that makes the change the
 * event reports: both commit or neither does, and the relay publishes what committed (woken at once, see
 * {@link OutboxRelay}).
 */
@ApplicationScoped
public class Outbox {

    private final OutboxRepository repository;
    private final EventCodec codec;
    private final OutboxRelay relay;
    private final OutboxRelay.UntilStarted started;

    public Outbox(OutboxRepository repository, EventCodec codec, OutboxRelay relay,
            OutboxRelay.UntilStarted started) {
        this.repository = repository;
        this.codec = codec;
        this.relay = relay;
        this.started = started;
    }

    public Uni<Void> append(TollgateEvent event) {
        EventType<?> type = EventType.of(event);
        OutboxMessage message = new OutboxMessage();
        message.eventId = event.eventId();
        message.topic = type.topic();
        message.eventType = type.cloudEventType();
        message.messageKey = event.tenantId().toString();
        message.payload = codec.encode(event);
        message.occurredAt = event.occurredAt();
        message.createdAt = Instant.now();
        message.traceParent = TraceParents.current();
        return repository.persist(message).invoke(() -> {
            if (started.started()) {
                relay.wake(); // it looks once this transaction may have committed
            }
        }).replaceWithVoid();
    }

    /** Whether the event {@code eventId} was appended (and not yet cleaned away), in the caller's transaction. */
    public Uni<Boolean> holds(java.util.UUID eventId) {
        return repository.count("eventId", eventId).map(count -> count > 0);
    }
}
