package dev.tollgate.billing.subscription;

import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.param.SubscriptionUpdateParams;
import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.stripe.StripeApi;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A tenant's subscription: read from what Stripe's events said, and changed at Stripe (another plan with
 * proration, cancel at the period's end, resume). A change is Stripe's first: the tenant's plan and entitlements
 * follow when Stripe's {@code customer.subscription.updated} arrives, so they never say what Stripe does not.
 */
@ApplicationScoped
public class ManageSubscription {

    private static final Logger LOG = Logger.getLogger(ManageSubscription.class);
    /** Statuses of a subscription that still exists at Stripe and can be changed. */
    private static final Set<String> LIVE = Set.of("active", "trialing", "past_due", "unpaid", "incomplete", "paused");

    /** The tenant's subscription as a member sees it. */
    public record SubscriptionView(String plan, String title, String status, Instant currentPeriodStart,
            Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant graceEndsAt,
            Entitlements entitlements) {
    }

    /** What Stripe accepted; the tenant's plan follows with Stripe's event. */
    public record ChangeRequested(String subscriptionId, String plan, String status, boolean cancelAtPeriodEnd,
            Instant currentPeriodEnd) {
    }

    private final SubscriptionRepository subscriptions;
    private final PlanCatalog catalog;
    private final StripeApi stripe;

    public ManageSubscription(SubscriptionRepository subscriptions, PlanCatalog catalog, StripeApi stripe) {
        this.subscriptions = subscriptions;
        this.catalog = catalog;
        this.stripe = stripe;
    }

    /** Whether {@code subscription} still exists at Stripe (not canceled or expired). */
    public static boolean live(TenantSubscription subscription) {
        return LIVE.contains(subscription.status);
    }

    /** The paid plan named {@code name}; 400 if there is none or it cannot be bought. */
    public static PlanCatalog.CatalogPlan purchasable(PlanCatalog catalog, String name) {
        if (name == null || name.isBlank()) {
            throw Problems.badRequest("plan-required", "Plan Required", "name the plan: {\"plan\": \"pro\"}");
        }
        PlanCatalog.CatalogPlan plan = catalog.named(name).orElseThrow(() -> Problems.badRequest("plan-unknown",
                "Plan Unknown", "no plan is named '" + name + "'; GET /billing/plans lists them"));
        if (plan.stripePriceId() == null) {
            throw Problems.badRequest("plan-not-purchasable", "Plan Not Purchasable", "plan '" + name + "' "
                    + (plan == catalog.free() ? "is the free plan: cancel the subscription to return to it"
                            : "is sold by contract, not online"));
        }
        return plan;
    }

    public Uni<SubscriptionView> view(Caller caller) {
        return Panache.withSession(() -> subscriptions.findById(caller.tenantId())).map(current -> {
            if (current == null) {
                PlanCatalog.CatalogPlan free = catalog.free();
                return new SubscriptionView(free.name(), free.title(), "none", null, null, false, null,
                        free.entitlements());
            }
            PlanCatalog.CatalogPlan plan = catalog.named(current.plan).orElse(catalog.free());
            return new SubscriptionView(plan.name(), plan.title(), current.status, current.currentPeriodStart,
                    current.currentPeriodEnd, current.cancelAtPeriodEnd, current.graceEndsAt, plan.entitlements());
        });
    }

    /** Moves the subscription to {@code planName}'s price, prorated. */
    public Uni<ChangeRequested> change(Caller caller, String planName, String requestKey) {
        PlanCatalog.CatalogPlan plan = purchasable(catalog, planName);
        return liveSubscription(caller).chain(current -> {
            if (plan.name().equals(current.plan)) {
                throw Problems.builder(Response.Status.CONFLICT, "plan-unchanged", "Plan Unchanged")
                        .withDetail("the tenant is on plan " + plan.name() + " already").build();
            }
            String id = current.stripeSubscriptionId;
            return stripe.run("retrieve subscription", client -> client.v1().subscriptions().retrieve(id))
                    .chain(subscription -> stripe.run("change subscription plan", client -> client.v1().subscriptions()
                            .update(id, SubscriptionUpdateParams.builder()
                                    .addItem(SubscriptionUpdateParams.Item.builder()
                                            .setId(firstItem(subscription).getId())
                                            .setPrice(plan.stripePriceId())
                                            .build())
                                    .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.CREATE_PRORATIONS)
                                    .build(),
                                    StripeApi.idempotent("tollgate-change-" + id + "-" + plan.name() + "-" + requestKey))))
                    .map(updated -> requested(caller, "change to " + plan.name(), updated));
        });
    }

    /** Cancels at the end of the paid period ({@code cancel}), or takes that back ({@code !cancel}). */
    public Uni<ChangeRequested> cancelAtPeriodEnd(Caller caller, boolean cancel, String requestKey) {
        return liveSubscription(caller).chain(current -> {
            String id = current.stripeSubscriptionId;
            return stripe.run(cancel ? "cancel subscription" : "resume subscription", client -> client.v1()
                    .subscriptions().update(id, SubscriptionUpdateParams.builder()
                            .setCancelAtPeriodEnd(cancel).build(),
                            StripeApi.idempotent("tollgate-" + (cancel ? "cancel-" : "resume-") + id + "-" + requestKey)))
                    .map(updated -> requested(caller, cancel ? "cancel at period end" : "resume", updated));
        });
    }

    private Uni<TenantSubscription> liveSubscription(Caller caller) {
        return Panache.withSession(() -> subscriptions.findById(caller.tenantId())).map(current -> {
            if (current == null || !live(current)) {
                throw Problems.builder(Response.Status.CONFLICT, "no-subscription", "No Subscription")
                        .withDetail("the tenant has no paid subscription; start one with POST /billing/checkout")
                        .build();
            }
            return current;
        });
    }

    private ChangeRequested requested(Caller caller, String what, Subscription updated) {
        SubscriptionItem item = firstItem(updated);
        String plan = item.getPrice() == null ? null
                : catalog.byStripePrice(item.getPrice().getId()).map(PlanCatalog.CatalogPlan::name).orElse(null);
        LOG.infof("billing: tenant %s asked Stripe to %s subscription %s (by %s)", caller.tenantId(), what,
                updated.getId(), caller.userId());
        return new ChangeRequested(updated.getId(), plan, updated.getStatus(),
                Boolean.TRUE.equals(updated.getCancelAtPeriodEnd()),
                item.getCurrentPeriodEnd() == null ? null : Instant.ofEpochSecond(item.getCurrentPeriodEnd()));
    }

    private static SubscriptionItem firstItem(Subscription subscription) {
        if (subscription.getItems() == null || subscription.getItems().getData().isEmpty()) {
            throw Problems.of(Response.Status.BAD_GATEWAY, "stripe-refused",
                    "Stripe's subscription " + subscription.getId() + " has no item to change");
        }
        return subscription.getItems().getData().get(0);
    }
}
