package dev.tollgate.common.outbox;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An event written in the same transaction as the state change it reports, waiting for the relay. */
@Entity
@Table(name = "outbox")
public class OutboxMessage extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false, unique = true)
    public UUID eventId;

    @Column(nullable = false)
    public String topic;

    @Column(name = "event_type", nullable = false)
    public String eventType;

    @Column(name = "message_key", nullable = false)
    public String messageKey;

    @Column(nullable = false)
    public String payload;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "published_at")
    public Instant publishedAt;

    /** How often the broker refused it. */
    @Column(nullable = false)
    public int attempts;

    /** Why the broker last refused it. */
    @Column(name = "last_error")
    public String lastError;

    /** When a refused row is tried again (null: as soon as the relay passes). */
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    /** The trace of the request that wrote it (W3C traceparent): its publication and consumers join it. */
    @Column(name = "trace_parent")
    public String traceParent;

    /** When the relay gave up on it: it waits for an operator, and so do the later rows of its key. */
    @Column(name = "parked_at")
    public Instant parkedAt;
}
