package dev.tollgate.billing.subscription;

import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Brings a tenant's subscription to what a Stripe event says, unless a newer event was applied already (events
 * arrive late and out of order: an older one changes nothing), and announces each real change of plan, status,
 * period or cancellation as {@code subscription.changed} with the plan's entitlements, in the same transaction.
 * A subscription that ended (canceled, expired) puts the tenant back on the free plan.
 */
@ApplicationScoped
public class SyncSubscription {

    private static final Logger LOG = Logger.getLogger(SyncSubscription.class);
    /** Statuses after which a subscription gives nothing: the tenant is on the free plan. */
    private static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");

    private final SubscriptionRepository subscriptions;
    private final PlanCatalog catalog;
    private final Outbox outbox;
    private final MeterRegistry registry;

    public SyncSubscription(SubscriptionRepository subscriptions, PlanCatalog catalog, Outbox outbox,
                            MeterRegistry registry) {
        this.subscriptions = subscriptions;
        this.catalog = catalog;
        this.outbox = outbox;
        this.registry = registry;
    }

    /** What a Stripe subscription event says of a tenant's subscription. */
    public record StripeState(UUID tenantId, String subscriptionId, String customerId, String priceId, String status,
                              Instant periodStart, Instant periodEnd, boolean cancelAtPeriodEnd, Instant eventCreated) {
    }

    /** Applies {@code state}; answers whether anything changed. Runs in the caller's transaction. */
    public Uni<Boolean> apply(StripeState state) {
        return subscriptions.lockedFor(state.tenantId()).chain(current -> {
            if (current != null && state.eventCreated().isBefore(current.stripeEventCreated)) {
                return stale(state, current, "an event of " + current.stripeEventCreated + " was applied already");
            }
            if (current != null && !current.stripeSubscriptionId.equals(state.subscriptionId())
                    && ENDED.contains(state.status()) && !ENDED.contains(current.status)) {
                return stale(state, current, "it ends subscription " + state.subscriptionId()
                        + ", not the tenant's current " + current.stripeSubscriptionId);
            }
            if (current != null && state.eventCreated().equals(current.stripeEventCreated)
                    && ENDED.contains(current.status) && current.stripeSubscriptionId.equals(state.subscriptionId())) {
                return stale(state, current, "the subscription had ended in the same second");
            }
            PlanCatalog.CatalogPlan plan = ENDED.contains(state.status()) ? catalog.free()
                    : catalog.byStripePrice(state.priceId()).orElse(null);
            if (plan == null) {
                LOG.warnf("billing: subscription %s of tenant %s has price %s, which no plan of the catalog has; "
                        + "left unapplied", state.subscriptionId(), state.tenantId(), state.priceId());
                registry.counter("tollgate.billing.subscription.changes", "outcome", "unknown-price").increment();
                return Uni.createFrom().item(false);
            }
            TenantSubscription next = current == null ? new TenantSubscription() : current;
            boolean changed = current == null || !Objects.equals(current.plan, plan.name())
                    || !Objects.equals(current.status, state.status())
                    || !Objects.equals(current.currentPeriodStart, state.periodStart())
                    || !Objects.equals(current.currentPeriodEnd, state.periodEnd())
                    || current.cancelAtPeriodEnd != state.cancelAtPeriodEnd()
                    || !Objects.equals(current.stripeSubscriptionId, state.subscriptionId());
            next.tenantId = state.tenantId();
            next.stripeSubscriptionId = state.subscriptionId();
            next.stripeCustomerId = state.customerId();
            next.plan = plan.name();
            next.stripePriceId = state.priceId();
            next.status = state.status();
            next.currentPeriodStart = state.periodStart();
            next.currentPeriodEnd = state.periodEnd();
            next.cancelAtPeriodEnd = state.cancelAtPeriodEnd();
            next.stripeEventCreated = state.eventCreated();
            next.updatedAt = Instant.now();
            Uni<TenantSubscription> saved = current == null ? subscriptions.persist(next) : Uni.createFrom().item(next);
            if (!changed) {
                return saved.replaceWith(false);
            }
            boolean ended = ENDED.contains(state.status());
            LOG.infof("billing: tenant %s is on plan %s (%s)%s", state.tenantId(), plan.name(), state.status(),
                    state.cancelAtPeriodEnd() ? ", cancelled at the period's end" : "");
            registry.counter("tollgate.billing.subscription.changes", "outcome", "changed").increment();
            return saved.call(() -> outbox.append(SubscriptionChanged.of(state.tenantId(), plan.name(), state.status(),
                            ended ? null : state.periodStart(), ended ? null : state.periodEnd(), plan.entitlements())))
                    .replaceWith(true);
        });
    }

    private Uni<Boolean> stale(StripeState state, TenantSubscription current, String why) {
        LOG.infof("billing: a Stripe event of %s for tenant %s changes nothing: %s", state.eventCreated(),
                state.tenantId(), why);
        registry.counter("tollgate.billing.subscription.changes", "outcome", "stale").increment();
        return Uni.createFrom().item(false);
    }
}
