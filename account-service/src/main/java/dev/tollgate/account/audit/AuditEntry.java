package dev.tollgate.account.audit;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One action in a tenant's audit log, as its service recorded it ({@code audit.recorded}); never changed. */
@Entity
@Table(name = "audit_log")
public class AuditEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false)
    public UUID eventId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(nullable = false)
    public String service;

    @Column(nullable = false)
    public String action;

    /** A user id, {@code service:<name>}, {@code stripe}, or {@code erased:<deletion>} once the user was erased. */
    @Column(nullable = false)
    public String actor;

    @Column(name = "user_id")
    public UUID userId;

    public String ip;

    /** What else identifies the action, as JSON. */
    @Column(nullable = false)
    public String details;

    @Column(name = "recorded_at", nullable = false)
    public Instant recordedAt;
}
