package dev.tollgate.account.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.erasure.ErasureCounts;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Map;
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

    /** A receipt of {@code service} for {@code deletionId}, received now, its counts written as JSON. */
    public static DeletionReceipt of(UUID deletionId, String service, Map<String, Long> counts, ObjectMapper json) {
        DeletionReceipt receipt = new DeletionReceipt();
        receipt.deletionId = deletionId;
        receipt.service = service;
        receipt.counts = ErasureCounts.write(json, counts);
        receipt.receivedAt = Instant.now();
        return receipt;
    }

    public record Key(UUID deletionId, String service) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}
