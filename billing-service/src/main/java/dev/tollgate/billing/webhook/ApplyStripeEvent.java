package dev.tollgate.billing.webhook;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.model.Customer;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.StripeObject;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import dev.tollgate.billing.erasure.repository.ErasedTenantRepository;
import dev.tollgate.billing.invoice.RecordInvoice;
import dev.tollgate.billing.subscription.SyncSubscription;
import dev.tollgate.billing.subscription.repository.CheckoutSessionRepository;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.error.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies one verified Stripe event, once: its id is recorded in the transaction of its effect, so a redelivery
 * (Stripe retries until it gets a 2xx, and may send an event more than once) changes nothing.
 */
@ApplicationScoped
public class ApplyStripeEvent {

    private static final Logger LOG = Logger.getLogger(ApplyStripeEvent.class);

    /** What became of an event. */
    public enum Outcome {
        APPLIED,
        DUPLICATE,
        IGNORED;

        public String label() {
            return name().toLowerCase();
        }
    }

    private final SubscriptionRepository subscriptions;
    private final SyncSubscription sync;
    private final RecordInvoice invoices;
    private final MeterRegistry registry;
    private final ErasedTenantRepository erasedTenants;
    private final CheckoutSessionRepository checkoutSessions;

    public ApplyStripeEvent(SubscriptionRepository subscriptions, SyncSubscription sync, RecordInvoice invoices,
            MeterRegistry registry, ErasedTenantRepository erasedTenants, CheckoutSessionRepository checkoutSessions) {
        this.subscriptions = subscriptions;
        this.checkoutSessions = checkoutSessions;
        this.erasedTenants = erasedTenants;
        this.sync = sync;
        this.invoices = invoices;
        this.registry = registry;
    }

    @WithTransaction
    public Uni<Outcome> apply(Event event) {
        Instant created = Instant.ofEpochSecond(event.getCreated());
        return subscriptions.firstTime(event.getId(), event.getType(), created)
                .chain(first -> first ? effect(event, created) : Uni.createFrom().item(Outcome.DUPLICATE))
                .invoke(outcome -> registry.counter("tollgate.billing.webhooks", "type", event.getType(),
                        "outcome", outcome.label()).increment());
    }

    private Uni<Outcome> effect(Event event, Instant created) {
        switch (event.getType()) {
            case "checkout.session.completed": {
                Session session = (Session) object(event);
                UUID tenant = uuid(session.getClientReferenceId());
                if (tenant == null || session.getCustomer() == null) {
                    return ignored(event, "the session names no tenant (client_reference_id) or customer");
                }
                // the subscription itself arrives in customer.subscription.* events; here the customer is learnt, and
                // no new checkout starts while the subscription is on its way
                return unlessErased(event, tenant, () -> subscriptions.rememberCustomer(tenant, session.getCustomer())
                        .call(() -> checkoutSessions.completed(session.getId()))
                        .replaceWith(Outcome.APPLIED));
            }
            case "checkout.session.expired": {
                Session session = (Session) object(event);
                return checkoutSessions.forget(session.getId()).replaceWith(Outcome.APPLIED);
            }
            case "customer.subscription.created":
            case "customer.subscription.updated":
            case "customer.subscription.deleted": {
                Subscription subscription = (Subscription) object(event);
                UUID fromMetadata = subscription.getMetadata() == null ? null
                        : uuid(subscription.getMetadata().get("tenant_id"));
                Uni<UUID> tenant = fromMetadata != null ? Uni.createFrom().item(fromMetadata)
                        : subscriptions.tenantOfCustomer(subscription.getCustomer());
                return tenant.chain(tenantId -> {
                    if (tenantId == null) {
                        return ignored(event, "subscription " + subscription.getId() + " belongs to no known tenant");
                    }
                    SubscriptionItem item = subscription.getItems() == null || subscription.getItems().getData().isEmpty()
                            ? null
                            : subscription.getItems().getData().get(0);
                    String status = "customer.subscription.deleted".equals(event.getType()) ? "canceled"
                            : subscription.getStatus();
                    // an erased tenant's subscription events change nothing (SyncSubscription checks)
                    return sync.apply(new SyncSubscription.StripeState(tenantId, subscription.getId(),
                            subscription.getCustomer(), item == null || item.getPrice() == null ? null
                                    : item.getPrice().getId(),
                            status,
                            item == null ? null : instant(item.getCurrentPeriodStart()),
                            item == null ? null : instant(item.getCurrentPeriodEnd()),
                            Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd()), created))
                            .replaceWith(Outcome.APPLIED);
                });
            }
            case "invoice.paid":
            case "invoice.payment_failed": {
                Invoice invoice = (Invoice) object(event);
                boolean paid = "invoice.paid".equals(event.getType());
                String subscription = RecordInvoice.subscriptionOf(invoice);
                return tenantOfInvoice(invoice).chain(tenantId -> {
                    if (tenantId == null) {
                        return ignored(event, "invoice " + invoice.getId() + " belongs to no known tenant");
                    }
                    // the invoice is kept; one of the tenant's subscription also moves its standing
                    return unlessErased(event, tenantId, () -> invoices.record(tenantId, invoice, created)
                            .chain(() -> subscription == null ? Uni.createFrom().item(false)
                                    : paid
                                            ? sync.paymentSucceeded(tenantId, subscription, created)
                                            : sync.paymentFailed(tenantId, subscription, created))
                            .replaceWith(Outcome.APPLIED));
                });
            }
            case "customer.deleted": {
                Customer customer = (Customer) object(event);
                return subscriptions.tenantOfCustomer(customer.getId()).chain(tenantId -> tenantId == null
                        ? ignored(event, "customer " + customer.getId() + " belongs to no known tenant")
                        : sync.customerDeleted(tenantId, customer.getId(), created)
                                .call(() -> subscriptions.forgetCustomer(tenantId, customer.getId()))
                                .replaceWith(Outcome.APPLIED));
            }
            default:
                return ignored(event, "not an event billing acts on");
        }
    }

    /** Runs {@code effect} unless the tenant was erased (Stripe's events about it then change nothing). */
    private Uni<Outcome> unlessErased(Event event, UUID tenantId, Supplier<Uni<Outcome>> effect) {
        return erasedTenants.isErased(tenantId).chain(erased -> erased
                ? ignored(event, "tenant " + tenantId + " was erased")
                : effect.get());
    }

    /** The invoice's tenant: its subscription's {@code tenant_id} metadata, else its customer's tenant. */
    private Uni<UUID> tenantOfInvoice(Invoice invoice) {
        Invoice.Parent parent = invoice.getParent();
        UUID fromMetadata = parent == null || parent.getSubscriptionDetails() == null
                || parent.getSubscriptionDetails().getMetadata() == null ? null
                        : uuid(parent.getSubscriptionDetails().getMetadata().get("tenant_id"));
        return fromMetadata != null ? Uni.createFrom().item(fromMetadata)
                : subscriptions.tenantOfCustomer(invoice.getCustomer());
    }

    private static Uni<Outcome> ignored(Event event, String why) {
        LOG.infof("billing: Stripe event %s (%s) recorded without effect: %s", event.getId(), event.getType(), why);
        return Uni.createFrom().item(Outcome.IGNORED);
    }

    /** The event's object, also when its API version differs from the library's. */
    private static StripeObject object(Event event) {
        try {
            return event.getDataObjectDeserializer().getObject().orElseGet(() -> {
                try {
                    return event.getDataObjectDeserializer().deserializeUnsafe();
                } catch (EventDataObjectDeserializationException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            });
        } catch (RuntimeException e) {
            // signed with our secret but not a readable Stripe event (no api_version, another object): nothing applied
            throw Problems.badRequest("webhook-malformed", "Webhook Malformed", "event " + event.getId()
                    + "'s object cannot be read as a " + event.getType() + " object: " + e);
        }
    }

    private static Instant instant(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
    }

    private static UUID uuid(String value) {
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
