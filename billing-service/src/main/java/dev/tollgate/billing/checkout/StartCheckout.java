package dev.tollgate.billing.checkout;

import com.stripe.model.Customer;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.stripe.StripeApi;
import dev.tollgate.billing.subscription.ManageSubscription;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Stripe's hosted pages for a tenant: a Checkout Session to subscribe to a paid plan (the tenant's Stripe customer
 * created on first use and reused after), and a Customer Portal session. The plan changes only when Stripe's
 * webhook says the subscription exists.
 */
@ApplicationScoped
public class StartCheckout {

    private static final Logger LOG = Logger.getLogger(StartCheckout.class);

    /** A checkout to send the customer to. */
    public record CheckoutStarted(String sessionId, String url, String plan) {
    }

    private final PlanCatalog catalog;
    private final SubscriptionRepository subscriptions;
    private final StripeApi stripe;
    private final BillingConfig config;

    public StartCheckout(PlanCatalog catalog, SubscriptionRepository subscriptions, StripeApi stripe,
            BillingConfig config) {
        this.catalog = catalog;
        this.subscriptions = subscriptions;
        this.stripe = stripe;
        this.config = config;
    }

    public Uni<CheckoutStarted> checkout(Caller caller, String planName, String requestKey) {
        PlanCatalog.CatalogPlan plan = ManageSubscription.purchasable(catalog, planName);
        UUID tenant = caller.tenantId();
        return Panache.withSession(() -> subscriptions.findById(tenant)).chain(current -> {
            if (current != null && ManageSubscription.live(current)) {
                throw Problems.builder(Response.Status.CONFLICT, "subscription-exists", "Subscription Exists")
                        .withDetail("the tenant is subscribed to " + current.plan + " (" + current.status
                                + "); change plans with POST /billing/subscription/change")
                        .build();
            }
            return customerOf(tenant);
        }).chain(customer -> stripe.run("create checkout session", client -> client.v1().checkout().sessions().create(
                SessionCreateParams.builder()
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
                StripeApi.idempotent("tollgate-checkout-" + tenant + "-" + plan.name() + "-" + requestKey))))
                .map(session -> {
                    LOG.infof("billing: checkout %s for tenant %s, plan %s, by %s", session.getId(), tenant,
                            plan.name(), caller.userId());
                    return new CheckoutStarted(session.getId(), session.getUrl(), plan.name());
                });
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
