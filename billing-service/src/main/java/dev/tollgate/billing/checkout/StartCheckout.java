package dev.tollgate.billing.checkout;

import com.stripe.model.Customer;
import com.stripe.model.checkout.Session;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.stripe.StripeApi;
import dev.tollgate.billing.subscription.CheckoutSession;
import dev.tollgate.billing.subscription.ManageSubscription;
import dev.tollgate.billing.subscription.repository.CheckoutSessionRepository;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Stripe's hosted pages for a tenant: a Checkout Session to subscribe to a paid plan (the tenant's Stripe customer
 * created on first use and reused after), and a Customer Portal session. The plan changes only when Stripe's
 * webhook says the subscription exists.
 * <p>
 * A tenant has at most one open Checkout Session ({@link CheckoutSession}): a second checkout for the same plan while
 * one is open (another tab, a double click, another admin, on any replica) gets the same session, so one payment
 * makes one subscription; one for another plan expires the open session at Stripe before creating its own. The
 * checkout creating a session holds the tenant's row under a claim, outside any transaction while Stripe answers;
 * the others wait for it. Once a session is paid, further checkouts are refused until the subscription has arrived.
 */
@ApplicationScoped
public class StartCheckout {

    private static final Logger LOG = Logger.getLogger(StartCheckout.class);
    /** How long a checkout may take to create its session (a few Stripe calls, each retried) before another may. */
    private static final Duration CLAIM = Duration.ofMinutes(3);
    /** How long a checkout waits for another's session before answering 409 {@code checkout-in-progress}. */
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** How often a checkout waiting for another's session looks again. */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(200);
    /** An open session is handed out only while it has at least this long left. */
    private static final Duration LEFT_AT_LEAST = Duration.ofMinutes(10);
    /** How long a paid session blocks new checkouts while its subscription is on its way. */
    private static final Duration PAID_WAITS = Duration.ofMinutes(10);

    /** A checkout to send the customer to. */
    public record CheckoutStarted(String sessionId, String url, String plan) {
    }

    /** What a checkout does, decided under the tenant's row lock. */
    private sealed interface Step {
    }

    /** Hand out the open session. */
    private record Reuse(CheckoutStarted started) implements Step {
    }

    /** Create a session under {@code claim}, expiring {@code replaced} at Stripe first (null: none open). */
    private record Create(UUID claim, String replaced) implements Step {
    }

    /** Another checkout is creating the tenant's session: look again shortly. */
    private record Wait() implements Step {
    }

    private final PlanCatalog catalog;
    private final SubscriptionRepository subscriptions;
    private final CheckoutSessionRepository sessions;
    private final StripeApi stripe;
    private final BillingConfig config;
    private final MeterRegistry registry;

    public StartCheckout(PlanCatalog catalog, SubscriptionRepository subscriptions, CheckoutSessionRepository sessions,
            StripeApi stripe, BillingConfig config, MeterRegistry registry) {
        this.catalog = catalog;
        this.subscriptions = subscriptions;
        this.sessions = sessions;
        this.stripe = stripe;
        this.config = config;
        this.registry = registry;
    }

    public Uni<CheckoutStarted> checkout(Caller caller, String planName) {
        PlanCatalog.CatalogPlan plan = ManageSubscription.purchasable(catalog, planName);
        UUID tenant = caller.tenantId();
        long deadline = System.nanoTime() + WAIT.toNanos();
        return checkout(tenant, plan, deadline).invoke(started -> LOG.infof("billing: checkout %s for tenant %s, "
                + "plan %s, by %s", started.sessionId(), tenant, plan.name(), caller.userId()));
    }

    private Uni<CheckoutStarted> checkout(UUID tenant, PlanCatalog.CatalogPlan plan, long deadline) {
        return Panache.withTransaction(() -> step(tenant, plan.name())).chain(step -> {
            if (step instanceof Reuse reuse) {
                registry.counter("tollgate.billing.checkouts", "outcome", "reused").increment();
                return Uni.createFrom().item(reuse.started());
            }
            if (step instanceof Create create) {
                return create(tenant, plan, create);
            }
            if (System.nanoTime() > deadline) {
                return Uni.createFrom().failure(Problems.builder(Response.Status.CONFLICT, "checkout-in-progress",
                        "Checkout In Progress").withDetail(
                                "another checkout of the tenant is still being created; "
                                        + "try again shortly")
                        .withHeader("Retry-After", 5).build());
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(LOOK_AGAIN)
                    .chain(() -> checkout(tenant, plan, deadline));
        });
    }

    /** Under the tenant's row lock: what this checkout does. Claims the row when it creates the session. */
    private Uni<Step> step(UUID tenant, String plan) {
        return subscriptions.findById(tenant).chain(current -> {
            if (current != null && ManageSubscription.live(current)) {
                throw Problems.builder(Response.Status.CONFLICT, "subscription-exists", "Subscription Exists")
                        .withDetail("the tenant is subscribed to " + current.plan + " (" + current.status
                                + "); change plans with POST /billing/subscription/change")
                        .build();
            }
            return sessions.locked(tenant);
        }).map(row -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            if (row.completedAt != null && row.completedAt.isAfter(now.minus(PAID_WAITS))) {
                throw Problems.builder(Response.Status.CONFLICT, "checkout-completed", "Checkout Completed")
                        .withDetail("a checkout of the tenant was paid at " + row.completedAt + "; its subscription "
                                + "arrives with Stripe's next event (GET /billing/subscription)")
                        .withHeader("Retry-After", 10).build();
            }
            boolean open = row.stripeSessionId != null && row.completedAt == null && row.expiresAt != null
                    && row.expiresAt.isAfter(now.plus(LEFT_AT_LEAST));
            boolean claimed = row.claim != null && row.claimedUntil != null && row.claimedUntil.isAfter(now);
            if (claimed) {
                return new Wait();
            }
            if (open && plan.equals(row.plan)) {
                return new Reuse(new CheckoutStarted(row.stripeSessionId, row.url, row.plan));
            }
            row.claim = UUID.randomUUID();
            row.claimedUntil = now.plus(CLAIM);
            row.updatedAt = now;
            // one of another plan, or about to expire, is expired at Stripe first
            return new Create(row.claim, row.completedAt == null ? row.stripeSessionId : null);
        });
    }

    /** Creates the session this checkout claimed, with no transaction open while Stripe answers, and keeps it. */
    private Uni<CheckoutStarted> create(UUID tenant, PlanCatalog.CatalogPlan plan, Create create) {
        return expire(tenant, create.replaced())
                // expired at Stripe: the row hands it out no more, whatever happens next
                .call(() -> create.replaced() == null ? Uni.createFrom().voidItem()
                        : Panache.withTransaction(() -> sessions.locked(tenant).invoke(row -> {
                            if (create.claim().equals(row.claim)) {
                                row.stripeSessionId = null;
                                row.url = null;
                                row.expiresAt = null;
                                row.plan = null;
                            }
                        })).replaceWithVoid())
                .chain(() -> customerOf(tenant))
                .chain(customer -> stripe.run("create checkout session", client -> client.v1().checkout().sessions()
                        .create(SessionCreateParams.builder()
                                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                                .setCustomer(customer)
                                .setClientReferenceId(tenant.toString())
                                .addLineItem(SessionCreateParams.LineItem.builder()
                                        .setPrice(plan.stripePriceId()).setQuantity(1L).build())
                                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                                        .putMetadata("tenant_id", tenant.toString()).build())
                                .setSuccessUrl(config.checkout().successUrl())
                                .setCancelUrl(config.checkout().cancelUrl())
                                .build(),
                                StripeApi.idempotent("tollgate-checkout-" + create.claim()))))
                .chain(session -> Panache.withTransaction(() -> sessions.locked(tenant).map(row -> {
                    if (!create.claim().equals(row.claim)) {
                        return false; // the claim ran out and another checkout took the row over
                    }
                    row.plan = plan.name();
                    row.stripeSessionId = session.getId();
                    row.url = session.getUrl();
                    row.expiresAt = session.getExpiresAt() == null ? Instant.now().plus(Duration.ofHours(24))
                            : Instant.ofEpochSecond(session.getExpiresAt());
                    row.completedAt = null;
                    row.claim = null;
                    row.claimedUntil = null;
                    row.updatedAt = Instant.now();
                    return true;
                })).chain(kept -> {
                    if (kept) {
                        registry.counter("tollgate.billing.checkouts", "outcome", "created").increment();
                        return Uni.createFrom().item(new CheckoutStarted(session.getId(), session.getUrl(),
                                plan.name()));
                    }
                    LOG.warnf("billing: checkout session %s of tenant %s took longer than its claim; it is expired "
                            + "and the checkout answered 409", session.getId(), tenant);
                    return expire(tenant, session.getId()).chain(() -> Uni.createFrom().failure(Problems.builder(
                            Response.Status.CONFLICT, "checkout-in-progress", "Checkout In Progress")
                            .withDetail("another checkout of the tenant took over; try again shortly")
                            .withHeader("Retry-After", 5).build()));
                }))
                .onFailure().call(e -> release(tenant, create.claim()));
    }

    /**
     * Expires {@code sessionId} at Stripe so it can no longer be paid; 409 when it was paid already (its subscription
     * is on its way).
     */
    private Uni<Void> expire(UUID tenant, String sessionId) {
        if (sessionId == null) {
            return Uni.createFrom().voidItem();
        }
        return stripe.run("expire checkout session", client -> {
            Session session = client.v1().checkout().sessions().retrieve(sessionId);
            return "open".equals(session.getStatus()) ? client.v1().checkout().sessions().expire(sessionId,
                    StripeApi.idempotent("tollgate-expire-" + sessionId)) : session;
        }).chain(session -> {
            if (!"complete".equals(session.getStatus())) {
                LOG.infof("billing: checkout session %s of tenant %s expired for a new one", sessionId, tenant);
                return Uni.createFrom().voidItem();
            }
            return Panache.withTransaction(() -> sessions.completed(sessionId)).chain(() -> Uni.createFrom().failure(
                    Problems.builder(Response.Status.CONFLICT, "checkout-completed", "Checkout Completed")
                            .withDetail("the tenant's open checkout was just paid; its subscription arrives with "
                                    + "Stripe's next event (GET /billing/subscription)")
                            .withHeader("Retry-After", 10).build()));
        });
    }

    /** Gives the row's claim up after a failure, so the next checkout need not wait for it to run out. */
    private Uni<Void> release(UUID tenant, UUID claim) {
        return Panache.withTransaction(() -> sessions.locked(tenant).invoke(row -> {
            if (claim.equals(row.claim)) {
                row.claim = null;
                row.claimedUntil = null;
            }
        })).replaceWithVoid().onFailure().recoverWithNull();
    }

    /** A Customer Portal URL for the tenant's Stripe customer; 409 if it never had one. */
    public Uni<String> portal(Caller caller, String requestKey) {
        UUID tenant = caller.tenantId();
        return Panache.withSession(() -> subscriptions.customerOf(tenant)).chain(customer -> {
            if (customer == null) {
                throw Problems.builder(Response.Status.CONFLICT, "no-billing-account", "No Billing Account")
                        .withDetail("the tenant has no Stripe customer yet; subscribe with POST /billing/checkout first")
                        .build();
            }
            return stripe.run("create portal session", client -> client.v1().billingPortal().sessions().create(
                    com.stripe.param.billingportal.SessionCreateParams.builder()
                            .setCustomer(customer)
                            .setReturnUrl(config.checkout().portalReturnUrl())
                            .build(),
                    StripeApi.idempotent("tollgate-portal-" + tenant + "-" + requestKey)));
        }).map(com.stripe.model.billingportal.Session::getUrl);
    }

    /**
     * The tenant's Stripe customer, created the first time. The idempotency key is the tenant's, so two first
     * checkouts at once create one customer.
     */
    private Uni<String> customerOf(UUID tenant) {
        return Panache.withSession(() -> subscriptions.customerOf(tenant)).chain(known -> known != null
                ? Uni.createFrom().item(known)
                : stripe.run("create customer", client -> client.v1().customers().create(
                        CustomerCreateParams.builder().putMetadata("tenant_id", tenant.toString()).build(),
                        StripeApi.idempotent("tollgate-customer-" + tenant)))
                        .map(Customer::getId)
                        .call(id -> Panache.withTransaction(() -> subscriptions.rememberCustomer(tenant, id)))
                        .invoke(id -> LOG.infof("billing: tenant %s is Stripe customer %s", tenant, id)));
    }
}
