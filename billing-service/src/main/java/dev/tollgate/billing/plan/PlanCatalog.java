package dev.tollgate.billing.plan;

import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.plan.FreeTier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The plans on offer: the free tier and the paid plans of the configuration, each with the entitlements that
 * {@code subscription.changed} announces for it, found by name or by its Stripe price id.
 */
@ApplicationScoped
public class PlanCatalog {

    /** A plan: its name, title, monthly price in cents, Stripe price id (none for free) and entitlements. */
    public record CatalogPlan(String name, String title, long monthlyPriceCents, String stripePriceId,
            Entitlements entitlements) {
    }

    private final List<CatalogPlan> plans;
    private final CatalogPlan free;

    public PlanCatalog(BillingConfig config, FreeTier freeTier) {
        this.free = new CatalogPlan(freeTier.plan(), "Free", 0, null, freeTier.entitlements());
        List<CatalogPlan> all = new ArrayList<>();
        all.add(free);
        config.plans().forEach((name, plan) -> all.add(new CatalogPlan(name, plan.title(), plan.monthlyPriceCents(),
                plan.stripePriceId().filter(id -> !id.isBlank()).orElse(null), new Entitlements(plan.quotas(),
                        new Entitlements.RateLimits(plan.rateLimits().userPerMinute(), plan.rateLimits().userPerHour(),
                                plan.rateLimits().tenantPerMinute(), plan.rateLimits().tenantPerHour(),
                                plan.rateLimits().burstPerSecond()),
                        new HashSet<>(plan.allowedModels().orElse(List.of())), new HashSet<>(plan.features().orElse(List.of())),
                        plan.overageAllowed()))));
        // the free plan first, then by price, plans priced by contract (0 here) last
        all.sort(Comparator.comparingLong((CatalogPlan plan) -> plan == free ? -1
                : plan.monthlyPriceCents() == 0 ? Long.MAX_VALUE : plan.monthlyPriceCents()).thenComparing(CatalogPlan::name));
        this.plans = List.copyOf(all);
    }

    public List<CatalogPlan> all() {
        return plans;
    }

    public CatalogPlan free() {
        return free;
    }

    public Optional<CatalogPlan> named(String name) {
        return plans.stream().filter(plan -> plan.name().equals(name)).findFirst();
    }

    public Optional<CatalogPlan> byStripePrice(String priceId) {
        return plans.stream().filter(plan -> priceId != null && priceId.equals(plan.stripePriceId())).findFirst();
    }
}
