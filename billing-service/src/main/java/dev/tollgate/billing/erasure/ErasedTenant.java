package dev.tollgate.billing.erasure;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant erased on {@code account.deleted}: Stripe's later events about it change nothing. */
@Entity
@Table(name = "erased_tenants")
public class ErasedTenant extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "deletion_id", nullable = false)
    public UUID deletionId;

    @Column(name = "erased_at", nullable = false)
    public Instant erasedAt;
}
