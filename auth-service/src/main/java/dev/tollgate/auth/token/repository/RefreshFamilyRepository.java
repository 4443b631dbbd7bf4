package dev.tollgate.auth.token.repository;

import dev.tollgate.auth.token.RefreshFamily;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class RefreshFamilyRepository implements PanacheRepositoryBase<RefreshFamily, UUID> {
}
