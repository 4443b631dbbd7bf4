package dev.tollgate.account.erasure;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** A tenant deleted with its owner's erasure: part of the request's scope; nothing new is kept about it. */
@Entity
@Table(name = "erased_tenants")
public class ErasedTenant extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "deletion_id", nullable = false)
    public UUID deletionId;

    static ErasedTenant of(UUID tenantId, UUID deletionId) {
        ErasedTenant erased = new ErasedTenant();
        erased.tenantId = tenantId;
        erased.deletionId = deletionId;
        return erased;
    }
}
