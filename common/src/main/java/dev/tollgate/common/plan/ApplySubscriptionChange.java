package dev.tollgate.common.plan;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.SubscriptionChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Keeps a tenant's entitlements as its newest {@code subscription.changed} gives them. Billing periods run from
 * the subscription's current period start (its billing anchor); an event that names no period keeps calendar
 * months, and one without entitlements gets the free tier's. Runs inside the inbox's transaction; each service
 * that keeps entitlements calls it from its own {@code subscription.changed} consumer.
 */
@ApplicationScoped
public class ApplySubscriptionChange {

    private static final Logger LOG = Logger.getLogger(ApplySubscriptionChange.class);

    private final EntitlementStore repository;
    private final FreeTier freeTier;
    private final TenantPlans plans;

    public ApplySubscriptionChange(EntitlementStore repository, FreeTier freeTier, TenantPlans plans) {
        this.repository = repository;
        this.freeTier = freeTier;
        this.plans = plans;
    }

    public Uni<Void> apply(SubscriptionChanged event) {
        Instant anchor = event.currentPeriodStart() == null ? BillingPeriod.CALENDAR_MONTHS : event.currentPeriodStart();
        Entitlements entitlements = event.entitlements() == null ? freeTier.entitlements() : event.entitlements();
        return Panache.getSession()
                .chain(session -> repository.store(session, event, anchor, entitlements))
                .invoke(stored -> {
                    plans.forget(event.tenantId());
                    if (stored) {
                        LOG.infof("entitlements: tenant %s is on plan %s (%s), periods from %s", event.tenantId(),
                                event.plan(), event.status(), anchor);
                    } else {
                        LOG.infof("entitlements: tenant %s: subscription.changed %s of %s is older than the one "
                                + "applied, or the tenant was erased; ignored", event.tenantId(), event.eventId(),
                                event.occurredAt());
                    }
                })
                .replaceWithVoid();
    }
}
