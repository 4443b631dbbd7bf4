package dev.tollgate.account.erasure;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** One service's receipt ({@code account.purged}) for an erasure: what it erased, as JSON counts. */
@Entity
@Table(name = "deletion_receipts")
@IdClass(DeletionReceipt.Key.class)
public class DeletionReceipt extends PanacheEntityBase {

    @Id
    @Column(name = "deletion_id")
    public UUID deletionId;

    @Id
    public String service;

    /** Kind of record to how many were erased, as JSON. */
    @Column(nullable = false)
    public String counts;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;

    public record Key(UUID deletionId, String service) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}
