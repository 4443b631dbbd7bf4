package dev.tollgate.billing.webhook;

import com.stripe.exception.EventDataObjectDeserializationException;
import com.stripe.model.Event;
import com.stripe.model.StripeObject;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.checkout.Session;
import dev.tollgate.billing.subscription.SyncSubscription;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.error.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
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
        APPLIED, DUPLICATE, IGNORED;

        public String label() {
            return name().toLowerCase();
        }
    }

    private final SubscriptionRepository subscriptions;
    private final SyncSubscription sync;
    private final MeterRegistry registry;

    public ApplyStripeEvent(SubscriptionRepository subscriptions, SyncSubscription sync, MeterRegistry registry) {
        this.subscriptions = subscriptions;
        this.sync = sync;
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
                // the subscription itself arrives in customer.subscription.* events; here the customer is learnt
                return subscriptions.rememberCustomer(tenant, session.getCustomer()).replaceWith(Outcome.APPLIED);
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
                            ? null : subscription.getItems().getData().get(0);
                    String status = "customer.subscription.deleted".equals(event.getType()) ? "canceled"
                            : subscription.getStatus();
                    return sync.apply(new SyncSubscription.StripeState(tenantId, subscription.getId(),
                                    subscription.getCustomer(), item == null || item.getPrice() == null ? null
                                    : item.getPrice().getId(), status,
                                    item == null ? null : instant(item.getCurrentPeriodStart()),
                                    item == null ? null : instant(item.getCurrentPeriodEnd()),
                                    Boolean.TRUE.equals(subscription.getCancelAtPeriodEnd()), created))
                            .replaceWith(Outcome.APPLIED);
                });
            }
            default:
                return ignored(event, "not an event billing acts on");
        }
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
