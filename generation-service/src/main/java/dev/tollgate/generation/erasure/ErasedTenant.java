package dev.tollgate.generation.erasure;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A tenant erased here ({@code erased_tenants}, written by {@link EraseGenerations}): a generation of one of its
 * members written late (its first write failed) is not stored after the erasure.
 */
@Entity
@Table(name = "erased_tenants")
public class ErasedTenant {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "deletion_id", nullable = false)
    public UUID deletionId;

    @Column(name = "erased_at", nullable = false)
    public Instant erasedAt;
}
