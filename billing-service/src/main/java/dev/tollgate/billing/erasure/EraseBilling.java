package dev.tollgate.billing.erasure;

import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Subscription;
import com.stripe.model.checkout.Session;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.common.EmptyParam;
import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.erasure.repository.ErasedTenantRepository;
import dev.tollgate.billing.invoice.repository.InvoiceRepository;
import dev.tollgate.billing.stripe.StripeApi;
import dev.tollgate.billing.stripe.StripeTask;
import dev.tollgate.billing.stripe.StripeTaskHandler;
import dev.tollgate.billing.stripe.repository.StripeTaskRepository;
import dev.tollgate.billing.subscription.ManageSubscription;
import dev.tollgate.billing.subscription.repository.CheckoutSessionRepository;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Billing's part of an erasure. Billing keeps no data of a single user, so a user's deletion is receipted at once.
 * A deleted tenant is recorded as erased (Stripe's later events about it change nothing), its invoices keep the
 * amounts and dates the books need but lose the customer's email and name, its subscription and customer rows
 * go, and its Stripe side is queued as a {@link StripeTask}: the subscription cancelled now, the customer deleted
 * or anonymized as configured. The receipt ({@code account.purged}) goes out when Stripe has done its part.
 */
@ApplicationScoped
public class EraseBilling implements StripeTaskHandler {

    public static final String SERVICE = "billing";
    private static final Logger LOG = Logger.getLogger(EraseBilling.class);

    private final SubscriptionRepository subscriptions;
    private final InvoiceRepository invoices;
    private final StripeTaskRepository tasks;
    private final StripeApi stripe;
    private final Outbox outbox;
    private final BillingConfig config;
    private final ErasedTenantRepository erasedTenants;
    private final CheckoutSessionRepository checkoutSessions;

    public EraseBilling(SubscriptionRepository subscriptions, InvoiceRepository invoices, StripeTaskRepository tasks,
            StripeApi stripe, Outbox outbox, BillingConfig config, ErasedTenantRepository erasedTenants,
            CheckoutSessionRepository checkoutSessions) {
        this.subscriptions = subscriptions;
        this.checkoutSessions = checkoutSessions;
        this.erasedTenants = erasedTenants;
        this.invoices = invoices;
        this.tasks = tasks;
        this.stripe = stripe;
        this.outbox = outbox;
        this.config = config;
    }

    /** Runs inside the inbox's transaction. */
    public Uni<Void> erase(AccountDeleted request) {
        if (!request.tenantDeleted()) {
            LOG.infof("audit: billing holds no personal data of user %s (deletion %s)", request.userId(),
                    request.deletionId());
            return outbox.append(AccountPurged.of(request, SERVICE, Map.of()));
        }
        UUID tenant = request.tenantId();
        Map<String, Long> counts = new LinkedHashMap<>();
        return erasedTenants.markErased(tenant, request.deletionId())
                .chain(() -> invoices.anonymize(tenant)).invoke(rows -> counts.put("invoices_anonymized", (long) rows))
                .chain(() -> subscriptions.forgetPlans(tenant))
                .chain(() -> checkoutSessions.findById(tenant))
                .chain(checkout -> {
                    // an open checkout could still be paid: it is expired at Stripe with the customer's erasure
                    String open = checkout == null || checkout.completedAt != null ? null : checkout.stripeSessionId;
                    return checkout == null ? Uni.createFrom().item((String) null)
                            : checkoutSessions.delete(checkout).invoke(() -> counts.put("checkout_sessions", 1L))
                                    .replaceWith(open);
                })
                .chain(openCheckout -> subscriptions.findById(tenant)
                        .chain(subscription -> subscriptions.customerOf(tenant).chain(customer -> {
                            String customerId = customer != null ? customer
                                    : subscription != null ? subscription.stripeCustomerId : null;
                            String live = subscription != null && ManageSubscription.live(subscription)
                                    ? subscription.stripeSubscriptionId
                                    : null;
                            Uni<Void> removeRows = (subscription == null ? Uni.createFrom().voidItem()
                                    : subscriptions.delete(subscription).invoke(() -> counts.put("subscriptions", 1L)))
                                    .chain(() -> customerId == null ? Uni.createFrom().voidItem()
                                            : subscriptions.forgetCustomer(tenant, customerId));
                            if (customerId == null) {
                                LOG.infof("audit: erased billing of tenant %s for deletion %s: %s (no Stripe customer)", tenant,
                                        request.deletionId(), counts);
                                return removeRows.chain(() -> outbox.append(AccountPurged.of(request, SERVICE, counts)));
                            }
                            StripeTask task = StripeTask.of(taskId(request), StripeTask.ERASE_CUSTOMER, tenant, customerId,
                                    request.occurredAt());
                            task.stripeSubscriptionId = live;
                            task.checkoutSessionId = openCheckout;
                            task.deletionId = request.deletionId();
                            task.userId = request.userId();
                            LOG.infof(
                                    "audit: erased billing of tenant %s for deletion %s: %s; Stripe customer %s queued for %s",
                                    tenant, request.deletionId(), counts, customerId, config.erasure().customer());
                            return removeRows.chain(() -> tasks.addOnce(task)).replaceWithVoid();
                        })));
    }

    @Override
    public String kind() {
        return StripeTask.ERASE_CUSTOMER;
    }

    @Override
    public Uni<Void> callStripe(StripeTask task) {
        Uni<Void> expire = task.checkoutSessionId == null ? Uni.createFrom().voidItem()
                : stripe.call("expire checkout session of erased tenant", client -> {
                    try {
                        Session session = client.v1().checkout().sessions().retrieve(task.checkoutSessionId);
                        return "open".equals(session.getStatus()) ? client.v1().checkout().sessions().expire(
                                task.checkoutSessionId, StripeApi.idempotent("tollgate-erase-expire-" + task.id))
                                : session;
                    } catch (InvalidRequestException e) {
                        if ("resource_missing".equals(e.getCode())) {
                            return null; // gone already
                        }
                        throw e;
                    }
                }).replaceWithVoid();
        Uni<Void> cancel = task.stripeSubscriptionId == null ? Uni.createFrom().voidItem()
                : stripe.call("cancel subscription of erased tenant", client -> {
                    try {
                        return client.v1().subscriptions().cancel(task.stripeSubscriptionId,
                                StripeApi.idempotent("tollgate-erase-cancel-" + task.id));
                    } catch (InvalidRequestException e) {
                        if ("resource_missing".equals(e.getCode())) {
                            return null; // cancelled and gone already
                        }
                        Subscription subscription = client.v1().subscriptions().retrieve(task.stripeSubscriptionId);
                        if ("canceled".equals(subscription.getStatus())) {
                            return subscription; // cancelled already
                        }
                        throw e;
                    }
                }).replaceWithVoid();
        boolean delete = config.erasure().customer() == BillingConfig.CustomerErasure.DELETE;
        return expire.chain(() -> cancel).chain(() -> stripe.call(delete ? "delete customer" : "anonymize customer", client -> {
            try {
                return delete ? client.v1().customers().delete(task.stripeCustomerId)
                        : client.v1().customers().update(task.stripeCustomerId, CustomerUpdateParams.builder()
                                .setName(EmptyParam.EMPTY).setEmail(EmptyParam.EMPTY).setPhone(EmptyParam.EMPTY)
                                .setDescription(EmptyParam.EMPTY).setAddress(EmptyParam.EMPTY).build(),
                                StripeApi.idempotent("tollgate-erase-" + task.id));
            } catch (InvalidRequestException e) {
                if ("resource_missing".equals(e.getCode())) {
                    return null; // deleted already
                }
                throw e;
            }
        })).replaceWithVoid();
    }

    @Override
    public Uni<Void> done(StripeTask task) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("stripe_subscriptions_cancelled", task.stripeSubscriptionId == null ? 0L : 1L);
        counts.put(config.erasure().customer() == BillingConfig.CustomerErasure.DELETE
                ? "stripe_customers_deleted"
                : "stripe_customers_anonymized", 1L);
        AccountDeleted request = new AccountDeleted(task.id, task.occurredAt, task.tenantId,
                AccountDeleted.SCHEMA_VERSION, task.deletionId, task.userId, true);
        LOG.infof("audit: Stripe customer %s of erased tenant %s: %s (deletion %s)", task.stripeCustomerId,
                task.tenantId, counts, task.deletionId);
        return outbox.append(AccountPurged.of(request, SERVICE, counts));
    }

    /** One erasure task per deletion request. */
    private static UUID taskId(AccountDeleted request) {
        return UUID.nameUUIDFromBytes(("billing-erasure:" + request.deletionId()).getBytes(StandardCharsets.UTF_8));
    }
}
