package dev.tollgate.common.plan;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every tenant's plan: the one its subscription announced, or the free tier (calendar-month periods). One
 * tenant's plan is kept in memory for {@code tollgate.plans.cache-ttl} (a metered request reads it each time);
 * this replica forgets it when it applies a change, other replicas within the TTL.
 */
@ApplicationScoped
public class TenantPlans {

    private static final int MOST_KEPT = 100_000;

    private final EntitlementStore repository;
    private final FreeTier freeTier;
    private final long ttlNanos;
    private final Map<UUID, Kept> kept = new ConcurrentHashMap<>();

    private record Kept(TenantPlan plan, long until) {
    }

    public TenantPlans(EntitlementStore repository, FreeTier freeTier,
            @ConfigProperty(name = "tollgate.plans.cache-ttl", defaultValue = "5s") Duration ttl) {
        this.repository = repository;
        this.freeTier = freeTier;
        this.ttlNanos = ttl.toNanos();
    }

    public Uni<TenantPlan> of(UUID tenant) {
        Kept known = kept.get(tenant);
        long now = System.nanoTime();
        if (known != null && now - known.until() < 0) {
            return Uni.createFrom().item(known.plan());
        }
        return of(List.of(tenant)).map(plans -> {
            TenantPlan plan = plans.get(tenant);
            if (ttlNanos > 0) {
                if (kept.size() >= MOST_KEPT) {
                    kept.clear();
                }
                kept.put(tenant, new Kept(plan, now + ttlNanos));
            }
            return plan;
        });
    }

    /** Forgets {@code tenant}'s plan: the next read goes to the store. */
    public void forget(UUID tenant) {
        kept.remove(tenant);
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
