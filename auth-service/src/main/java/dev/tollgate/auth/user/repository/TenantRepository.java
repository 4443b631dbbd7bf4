package dev.tollgate.auth.user.repository;

import dev.tollgate.auth.user.Tenant;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class TenantRepository implements PanacheRepositoryBase<Tenant, UUID> {
}
