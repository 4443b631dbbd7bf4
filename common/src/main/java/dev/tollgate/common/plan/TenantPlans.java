package dev.tollgate.common.plan;

import dev.tollgate.common.gate.BillingPeriod;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Every tenant's plan: the one its subscription announced, or the free tier (calendar-month periods). */
@ApplicationScoped
public class TenantPlans {

    private final EntitlementStore repository;
    private final FreeTier freeTier;

    public TenantPlans(EntitlementStore repository, FreeTier freeTier) {
        this.repository = repository;
        this.freeTier = freeTier;
    }

    public Uni<TenantPlan> of(UUID tenant) {
        return of(List.of(tenant)).map(plans -> plans.get(tenant));
    }

    /** A plan for each of {@code tenants}. */
    public Uni<Map<UUID, TenantPlan>> of(Collection<UUID> tenants) {
        return repository.find(tenants).map(stored -> {
            Map<UUID, TenantPlan> plans = new HashMap<>(stored);
            tenants.forEach(tenant -> plans.computeIfAbsent(tenant, this::free));
            return plans;
        });
    }

    private TenantPlan free(UUID tenant) {
        return new TenantPlan(tenant, freeTier.plan(), "active", BillingPeriod.CALENDAR_MONTHS,
                freeTier.entitlements(), true);
    }
}
