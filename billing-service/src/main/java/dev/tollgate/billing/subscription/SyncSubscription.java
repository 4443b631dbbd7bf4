package dev.tollgate.billing.subscription;

import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.erasure.repository.ErasedTenantRepository;
import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.audit.AuditTrail;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Brings a tenant's subscription to what a Stripe event says, unless a newer event was applied already (events
 * arrive late and out of order: an older one changes nothing), and announces each real change of plan, status,
 * period or cancellation as {@code subscription.changed} with the plan's entitlements, in the same transaction.
 * A subscription that ended (canceled, expired) puts the tenant on the free plan; so does one whose payment
 * failed and is still unpaid when the grace period ends, until a payment succeeds. A second live subscription of a
 * tenant is cancelled and refunded ({@link CancelDuplicateSubscription}); the paid one stays, the first if both are.
 */
@ApplicationScoped
public class SyncSubscription {

    private static final Logger LOG = Logger.getLogger(SyncSubscription.class);
    /** Statuses after which a subscription gives nothing: the tenant is on the free plan. */
    private static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");
    /** Statuses of a subscription whose invoice is unpaid. */
    private static final Set<String> UNPAID = Set.of("past_due", "unpaid");
    /** Statuses of a subscription in good standing. */
    private static final Set<String> PAID = Set.of("active", "trialing");

    private final AuditTrail audit;
    private final SubscriptionRepository subscriptions;
    private final PlanCatalog catalog;
    private final Outbox outbox;
    private final MeterRegistry registry;
    private final BillingConfig config;
    private final ErasedTenantRepository erasedTenants;
    private final CancelDuplicateSubscription duplicates;

    public SyncSubscription(SubscriptionRepository subscriptions, PlanCatalog catalog, Outbox outbox,
            MeterRegistry registry, BillingConfig config, ErasedTenantRepository erasedTenants,
            AuditTrail audit, CancelDuplicateSubscription duplicates) {
        this.audit = audit;
        this.duplicates = duplicates;
        this.subscriptions = subscriptions;
        this.erasedTenants = erasedTenants;
        this.catalog = catalog;
        this.outbox = outbox;
        this.registry = registry;
        this.config = config;
    }

    /** What a Stripe subscription event says of a tenant's subscription. */
    public record StripeState(UUID tenantId, String subscriptionId, String customerId, String priceId, String status,
            Instant periodStart, Instant periodEnd, boolean cancelAtPeriodEnd, Instant eventCreated) {
    }

    /** What {@code subscription.changed} announces; a change of any of it is announced. */
    private record Announced(String plan, String status, Instant periodStart, Instant periodEnd,
            boolean cancelAtPeriodEnd, String subscriptionId) {
        static Announced of(TenantSubscription row) {
            return row == null ? null
                    : new Announced(row.plan, row.status, row.currentPeriodStart,
                            row.currentPeriodEnd, row.cancelAtPeriodEnd, row.stripeSubscriptionId);
        }
    }

    /** Applies {@code state}; answers whether anything changed. Runs in the caller's transaction. */
    public Uni<Boolean> apply(StripeState state) {
        // an erased tenant has no row, so only a tenant without one is looked up among the erased
        return subscriptions.lockedFor(state.tenantId()).chain(current -> current != null ? applyTo(current, state)
                : erasedTenants.isErased(state.tenantId()).chain(erased -> erased
                        ? stale(state.tenantId(), state.eventCreated(), "the tenant was erased")
                        : applyTo(null, state)));
    }

    private Uni<Boolean> applyTo(TenantSubscription current, StripeState state) {
        if (current != null && !current.stripeSubscriptionId.equals(state.subscriptionId())
                && !ENDED.contains(state.status()) && ManageSubscription.live(current)) {
            // a second live subscription, however late its event: the paid one stays (the first, when both are), the
            // other is cancelled and refunded (unless Stripe had ended it before: old news)
            boolean newcomerStays = !PAID.contains(current.status) && !UNPAID.contains(current.status)
                    && PAID.contains(state.status());
            String duplicate = newcomerStays ? current.stripeSubscriptionId : state.subscriptionId();
            String kept = newcomerStays ? state.subscriptionId() : current.stripeSubscriptionId;
            Uni<Void> cancel = duplicates.queue(state.tenantId(), state.customerId(), duplicate, kept,
                    state.eventCreated());
            if (!newcomerStays) {
                return cancel.chain(() -> stale(state.tenantId(), state.eventCreated(), "subscription "
                        + state.subscriptionId() + " duplicates the tenant's live " + current.stripeSubscriptionId
                        + ", which stays"));
            }
            // the times of two subscriptions' events say nothing of each other: the paid one replaces the unpaid
            return cancel.chain(() -> replace(current, state));
        }
        if (current != null && state.eventCreated().isBefore(current.stripeEventCreated)) {
            return stale(state.tenantId(), state.eventCreated(),
                    "an event of " + current.stripeEventCreated + " was applied already");
        }
        if (current != null && !current.stripeSubscriptionId.equals(state.subscriptionId())
                && ENDED.contains(state.status()) && !ENDED.contains(current.status)) {
            return stale(state.tenantId(), state.eventCreated(), "it ends subscription " + state.subscriptionId()
                    + ", not the tenant's current " + current.stripeSubscriptionId);
        }
        if (current != null && state.eventCreated().equals(current.stripeEventCreated)
                && ENDED.contains(current.status) && current.stripeSubscriptionId.equals(state.subscriptionId())) {
            return stale(state.tenantId(), state.eventCreated(), "the subscription had ended in the same second");
        }
        return replace(current, state);
    }

    /** Makes {@code state} the tenant's subscription. */
    private Uni<Boolean> replace(TenantSubscription current, StripeState state) {
        if (!ENDED.contains(state.status()) && catalog.byStripePrice(state.priceId()).isEmpty()) {
            LOG.warnf("billing: subscription %s of tenant %s has price %s, which no plan of the catalog has; "
                    + "left unapplied", state.subscriptionId(), state.tenantId(), state.priceId());
            registry.counter("tollgate.billing.subscription.changes", "outcome", "unknown-price").increment();
            return Uni.createFrom().item(false);
        }
        Announced before = Announced.of(current);
        TenantSubscription next = current == null ? new TenantSubscription() : current;
        next.tenantId = state.tenantId();
        next.stripeSubscriptionId = state.subscriptionId();
        next.stripeCustomerId = state.customerId();
        next.stripePriceId = state.priceId();
        next.status = state.status();
        next.currentPeriodStart = state.periodStart();
        next.currentPeriodEnd = state.periodEnd();
        next.cancelAtPeriodEnd = state.cancelAtPeriodEnd();
        next.stripeEventCreated = state.eventCreated();
        if (PAID.contains(state.status()) || ENDED.contains(state.status())) {
            endGrace(next);
        } else if (UNPAID.contains(state.status()) && next.graceEndsAt == null) {
            startGrace(next, state.eventCreated());
        }
        return save(current == null, before, next);
    }

    /** An invoice of the tenant's subscription could not be paid: past due, and the grace period starts. */
    public Uni<Boolean> paymentFailed(UUID tenantId, String subscriptionId, Instant eventCreated) {
        return subscriptions.lockedFor(tenantId).chain(current -> {
            if (current == null || !current.stripeSubscriptionId.equals(subscriptionId) || ENDED.contains(current.status)) {
                return stale(tenantId, eventCreated, "its subscription " + subscriptionId + " is not the tenant's live one");
            }
            if (!PAID.contains(current.status) && !UNPAID.contains(current.status)) {
                // a first payment that fails leaves the subscription incomplete (or paused): it was never paid, so
                // there is no grace to give; the tenant stays on the free tier
                return stale(tenantId, eventCreated, "its subscription is " + current.status + ", never paid");
            }
            if (PAID.contains(current.status) && eventCreated.isBefore(current.stripeEventCreated)) {
                return stale(tenantId, eventCreated, "a newer event says the subscription is " + current.status);
            }
            Announced before = Announced.of(current);
            if (!UNPAID.contains(current.status)) {
                current.status = "past_due";
            }
            if (current.graceEndsAt == null) {
                startGrace(current, eventCreated);
            }
            current.stripeEventCreated = latest(current.stripeEventCreated, eventCreated);
            return save(false, before, current);
        });
    }

    /** An invoice was paid: the grace period ends and a subscription that was past due is active again. */
    public Uni<Boolean> paymentSucceeded(UUID tenantId, String subscriptionId, Instant eventCreated) {
        return subscriptions.lockedFor(tenantId).chain(current -> {
            if (current == null || !current.stripeSubscriptionId.equals(subscriptionId) || ENDED.contains(current.status)) {
                return stale(tenantId, eventCreated, "its subscription " + subscriptionId + " is not the tenant's live one");
            }
            if (current.paymentFailedAt != null && eventCreated.isBefore(current.paymentFailedAt)) {
                return stale(tenantId, eventCreated, "a payment failed after it, at " + current.paymentFailedAt);
            }
            Announced before = Announced.of(current);
            if (UNPAID.contains(current.status)) {
                current.status = "active";
            }
            endGrace(current);
            current.stripeEventCreated = latest(current.stripeEventCreated, eventCreated);
            return save(false, before, current);
        });
    }

    /** The tenant's Stripe customer was deleted, and with it the subscription: the tenant is on the free plan. */
    public Uni<Boolean> customerDeleted(UUID tenantId, String customerId, Instant eventCreated) {
        return subscriptions.lockedFor(tenantId).chain(current -> {
            if (current == null || !customerId.equals(current.stripeCustomerId) || ENDED.contains(current.status)) {
                return Uni.createFrom().item(false);
            }
            Announced before = Announced.of(current);
            current.status = "canceled";
            endGrace(current);
            current.stripeEventCreated = latest(current.stripeEventCreated, eventCreated);
            return save(false, before, current);
        });
    }

    /** A grace period ended with the invoice still unpaid: the free plan until a payment succeeds. */
    public Uni<Boolean> graceEnded(TenantSubscription current) {
        Announced before = Announced.of(current);
        LOG.infof("billing: tenant %s's grace period ended at %s with subscription %s still %s", current.tenantId,
                current.graceEndsAt, current.stripeSubscriptionId, current.status);
        return save(false, before, current);
    }

    /** Sets the plan the subscription gives now, saves it and announces a real change. */
    private Uni<Boolean> save(boolean isNew, Announced before, TenantSubscription next) {
        PlanCatalog.CatalogPlan plan = entitled(next);
        boolean planChanged = !plan.name().equals(next.plan);
        next.plan = plan.name();
        next.updatedAt = Instant.now();
        Uni<TenantSubscription> saved = (isNew ? subscriptions.persist(next) : Uni.createFrom().item(next))
                // the plan in force from now, for usage that arrives later (ReportUsage)
                .call(() -> planChanged ? subscriptions.rememberPlan(next.tenantId, plan.name(), next.updatedAt)
                        : Uni.createFrom().voidItem());
        if (Objects.equals(before, Announced.of(next))) {
            return saved.replaceWith(false);
        }
        boolean ended = ENDED.contains(next.status);
        LOG.infof("billing: tenant %s is on plan %s (%s)%s%s", next.tenantId, plan.name(), next.status,
                next.cancelAtPeriodEnd ? ", cancelled at the period's end" : "",
                next.graceEndsAt != null ? ", payment grace until " + next.graceEndsAt : "");
        registry.counter("tollgate.billing.subscription.changes", "outcome", "changed").increment();
        // counted under the row's lock, in the transaction that saves the change
        next.announcedVersion++;
        return saved.call(() -> outbox.append(SubscriptionChanged.of(next.tenantId, plan.name(), next.status,
                ended ? null : next.currentPeriodStart, ended ? null : next.currentPeriodEnd, plan.entitlements(),
                next.announcedVersion)))
                .call(() -> audit.record(next.tenantId, "billing.plan-changed", "stripe", null, null,
                        Map.of("plan", plan.name(), "status", next.status, "previousPlan",
                                before == null ? "none" : before.plan())))
                .replaceWith(true);
    }

    /**
     * The plan {@code subscription} gives: its price's while Stripe says it is paid ({@code active}, {@code trialing})
     * or unpaid within the grace period ({@code past_due}, {@code unpaid}); free for every other status
     * ({@code incomplete}, {@code incomplete_expired}, {@code paused}, {@code canceled}, and any Stripe adds later).
     */
    private PlanCatalog.CatalogPlan entitled(TenantSubscription subscription) {
        boolean paid = PAID.contains(subscription.status)
                || (UNPAID.contains(subscription.status) && !graceOver(subscription, Instant.now()));
        if (!paid) {
            return catalog.free();
        }
        return catalog.byStripePrice(subscription.stripePriceId).orElse(catalog.free());
    }

    public static boolean graceOver(TenantSubscription subscription, Instant now) {
        return UNPAID.contains(subscription.status) && subscription.graceEndsAt != null
                && !subscription.graceEndsAt.isAfter(now);
    }

    private void startGrace(TenantSubscription subscription, Instant failedAt) {
        subscription.paymentFailedAt = failedAt;
        subscription.graceEndsAt = failedAt.plus(config.paymentGracePeriod());
    }

    private static void endGrace(TenantSubscription subscription) {
        subscription.paymentFailedAt = null;
        subscription.graceEndsAt = null;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private Uni<Boolean> stale(UUID tenantId, Instant eventCreated, String why) {
        LOG.infof("billing: a Stripe event of %s for tenant %s changes nothing: %s", eventCreated, tenantId, why);
        registry.counter("tollgate.billing.subscription.changes", "outcome", "stale").increment();
        return Uni.createFrom().item(false);
    }
}
