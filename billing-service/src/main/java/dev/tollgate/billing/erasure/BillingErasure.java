package dev.tollgate.billing.erasure;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An erasure applied here: what billing erased in its own tables, and when it receipted the request (once the
 * Stripe task of every deleted tenant is done).
 */
@Entity
@Table(name = "erasures")
public class BillingErasure extends PanacheEntityBase {

    @Id
    @Column(name = "deletion_id")
    public UUID deletionId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    /** The tenant the request was announced under. */
    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    /** What was erased here, as JSON (kind to count). */
    @Column(nullable = false)
    public String counts;

    @Column(name = "receipted_at")
    public Instant receiptedAt;
}
