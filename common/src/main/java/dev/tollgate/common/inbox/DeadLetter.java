package dev.tollgate.common.inbox;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An event a consumer could not apply, kept for re-driving ({@link DeadLetters}). */
@Entity
@Table(name = "dead_letter")
public class DeadLetter extends PanacheEntityBase {

    @Id
    public Long id;

    /** The consumer that failed it (each consumer of a topic applies its events on its own). */
    @Column(nullable = false)
    public String consumer;

    @Column(nullable = false)
    public String topic;

    /** The event's id; null when the record could not be read. */
    @Column(name = "event_id")
    public UUID eventId;

    @Column(nullable = false)
    public String payload;

    @Column(name = "last_error", nullable = false)
    public String lastError;

    /** How often it failed: once when it died, and once per failed re-drive. */
    @Column(nullable = false)
    public int attempts;

    @Column(name = "dead_at", nullable = false)
    public Instant deadAt;

    /** When it is re-driven automatically; null once the automatic attempts are spent (an operator's turn). */
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    /** Until when a re-drive holds it (no other re-drive or discard meanwhile); null when none does. */
    @Column(name = "leased_until")
    public Instant leasedUntil;

    /** When it was re-driven successfully or discarded; null while open. */
    @Column(name = "resolved_at")
    public Instant resolvedAt;

    /** {@code redriven}, {@code already-applied} or {@code discarded: <reason>}. */
    @Column
    public String resolution;
}
