package dev.tollgate.billing.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.tollgate.common.erasure.ErasureCounts;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Billing's part of an erasure. Billing keeps no data of a single user, so a deletion that deletes no tenant is
 * receipted at once. Each deleted tenant the request names is recorded as erased (Stripe's later events about it
 * change nothing), its invoices keep the amounts and dates the books need but lose the customer's email and name,
 * its subscription and customer rows go, and its Stripe side is queued as a {@link StripeTask}: the subscription
 * cancelled now, the customer deleted or anonymized as configured. The receipt ({@code account.purged}) goes out
 * once, when Stripe has done its part for every tenant.
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
    private final ObjectMapper json;

    public EraseBilling(SubscriptionRepository subscriptions, InvoiceRepository invoices, StripeTaskRepository tasks,
            StripeApi stripe, Outbox outbox, BillingConfig config, ErasedTenantRepository erasedTenants,
            CheckoutSessionRepository checkoutSessions, ObjectMapper json) {
        this.json = json;
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
        if (!request.addressedTo(SERVICE)) {
            return Uni.createFrom().voidItem();
        }
        // the erasure's row first: a second delivery of the same request waits here for the first, then sees it
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}erasures (deletion_id, user_id, tenant_id, counts)
                values (:deletion, :user, :tenant, '{}') on conflict (deletion_id) do nothing""")
                .setParameter("deletion", request.deletionId())
                .setParameter("user", request.userId())
                .setParameter("tenant", request.tenantId())
                .executeUpdate())
                .chain(inserted -> BillingErasure.<BillingErasure> findById(request.deletionId(),
                        LockModeType.PESSIMISTIC_WRITE).chain(
                                erasure -> inserted == 0 ? again(request, erasure)
                                        : StripeTask.<StripeTask> list("deletionId = ?1 and kind = ?2", request.deletionId(),
                                                StripeTask.ERASE_CUSTOMER).chain(
                                                        earlier -> earlier.isEmpty()
                                                                ? first(request, erasure)
                                                                : queuedBefore(request, erasure, earlier))));
    }

    /** Sent again: a receipt already given is given again (it may be what went missing); else the tasks go on. */
    private Uni<Void> again(AccountDeleted request, BillingErasure erasure) {
        LOG.infof("billing: deletion %s was applied here before (%s)", request.deletionId(),
                erasure.receiptedAt == null ? "its Stripe tasks are under way" : "receipted again");
        return erasure.receiptedAt == null ? Uni.createFrom().voidItem()
                : outbox.append(AccountPurged.of(request, SERVICE, read(erasure.counts)));
    }

    /** A request the previous release applied (one task, no erasure row): receipted again once its task is done. */
    private Uni<Void> queuedBefore(AccountDeleted request, BillingErasure erasure, List<StripeTask> earlier) {
        if (earlier.stream().anyMatch(task -> task.doneAt == null || discarded(task))) {
            LOG.infof("billing: deletion %s was queued here before; its Stripe task is under way", request.deletionId());
            return Uni.createFrom().voidItem();
        }
        erasure.counts = write(stripeCounts(earlier));
        erasure.receiptedAt = Instant.now();
        return outbox.append(AccountPurged.of(request, SERVICE, stripeCounts(earlier)));
    }

    /** The first time: every tenant the request deletes. */
    private Uni<Void> first(AccountDeleted request, BillingErasure erasure) {
        List<UUID> tenants = request.erasedTenants();
        if (tenants.isEmpty()) {
            LOG.infof("audit: billing holds no personal data of user %s (deletion %s)", request.userId(),
                    request.deletionId());
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        Uni<Integer> queued = Uni.createFrom().item(0);
        for (UUID tenant : tenants) {
            queued = queued.chain(sum -> eraseTenant(request, tenant, counts).map(task -> sum + (task ? 1 : 0)));
        }
        return queued.chain(tasks -> {
            erasure.counts = write(counts);
            if (tasks > 0) {
                return Uni.createFrom().voidItem();
            }
            // no Stripe side at all: receipted now
            erasure.receiptedAt = Instant.now();
            return outbox.append(AccountPurged.of(request, SERVICE, counts));
        });
    }

    /**
     * Erases one deleted tenant's billing here and queues its Stripe side; answers whether a Stripe task was queued
     * (the tenant had a Stripe customer).
     */
    private Uni<Boolean> eraseTenant(AccountDeleted request, UUID tenant, Map<String, Long> counts) {
        return erasedTenants.markErased(tenant, request.deletionId())
                .chain(() -> invoices.anonymize(tenant))
                .invoke(rows -> counts.merge("invoices_anonymized", (long) rows, Long::sum))
                .chain(() -> subscriptions.forgetPlans(tenant))
                .chain(() -> checkoutSessions.findById(tenant))
                .chain(checkout -> {
                    // an open checkout could still be paid: it is expired at Stripe with the customer's erasure
                    String open = checkout == null || checkout.completedAt != null ? null : checkout.stripeSessionId;
                    return checkout == null ? Uni.createFrom().item((String) null)
                            : checkoutSessions.delete(checkout)
                                    .invoke(() -> counts.merge("checkout_sessions", 1L, Long::sum))
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
                                    : subscriptions.delete(subscription)
                                            .invoke(() -> counts.merge("subscriptions", 1L, Long::sum)))
                                    .chain(() -> customerId == null ? Uni.createFrom().voidItem()
                                            : subscriptions.forgetCustomer(tenant, customerId));
                            if (customerId == null) {
                                LOG.infof("audit: erased billing of tenant %s for deletion %s (no Stripe customer)",
                                        tenant, request.deletionId());
                                return removeRows.replaceWith(false);
                            }
                            StripeTask task = StripeTask.of(taskId(request.deletionId(), tenant),
                                    StripeTask.ERASE_CUSTOMER, tenant, customerId, request.occurredAt());
                            task.stripeSubscriptionId = live;
                            task.checkoutSessionId = openCheckout;
                            task.deletionId = request.deletionId();
                            task.userId = request.userId();
                            LOG.infof("audit: erased billing of tenant %s for deletion %s; Stripe customer %s queued "
                                    + "for %s%s", tenant, request.deletionId(), customerId, config.erasure().customer(),
                                    live == null ? "" : ", subscription " + live + " for cancellation");
                            return removeRows.chain(() -> tasks.addOnce(task)).replaceWith(true);
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
        LOG.infof("audit: Stripe customer %s of erased tenant %s: %s (deletion %s)", task.stripeCustomerId,
                task.tenantId, task.stripeSubscriptionId == null ? "no live subscription"
                        : "subscription "
                                + task.stripeSubscriptionId + " cancelled",
                task.deletionId);
        return BillingErasure.<BillingErasure> findById(task.deletionId, LockModeType.PESSIMISTIC_WRITE)
                .chain(erasure -> {
                    if (erasure == null) {
                        // a task of a release that queued one task per erasure and kept no erasure row
                        return outbox.append(AccountPurged.of(task.tenantId, task.deletionId, task.userId, SERVICE,
                                stripeCounts(List.of(task))));
                    }
                    if (erasure.receiptedAt != null) {
                        return Uni.createFrom().voidItem();
                    }
                    // the erasure's row is locked: of two tasks done at once, the second sees the first done
                    return StripeTask.<StripeTask> list("deletionId = ?1 and kind = ?2", task.deletionId,
                            StripeTask.ERASE_CUSTOMER).chain(all -> {
                                // a task an operator discarded (its Stripe side done by hand, or not at all)
                                // gives no receipt: the runbook retries it instead
                                boolean open = all.stream().anyMatch(other -> !other.id.equals(task.id)
                                        && (other.doneAt == null || discarded(other)));
                                if (open) {
                                    return Uni.createFrom().voidItem();
                                }
                                Map<String, Long> counts = new LinkedHashMap<>(read(erasure.counts));
                                counts.putAll(stripeCounts(all));
                                erasure.receiptedAt = Instant.now();
                                LOG.infof("audit: billing's part of deletion %s is done: %s", task.deletionId, counts);
                                return outbox.append(AccountPurged.of(erasure.tenantId, erasure.deletionId,
                                        erasure.userId, SERVICE, counts));
                            });
                });
    }

    private static boolean discarded(StripeTask task) {
        return task.resolution != null && task.resolution.startsWith("discarded");
    }

    /** What the erasure's Stripe tasks did. */
    private Map<String, Long> stripeCounts(List<StripeTask> done) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("stripe_subscriptions_cancelled", done.stream().filter(t -> t.stripeSubscriptionId != null).count());
        counts.put(config.erasure().customer() == BillingConfig.CustomerErasure.DELETE
                ? "stripe_customers_deleted"
                : "stripe_customers_anonymized", (long) done.size());
        return counts;
    }

    private String write(Map<String, Long> counts) {
        return ErasureCounts.write(json, counts);
    }

    private Map<String, Long> read(String counts) {
        return ErasureCounts.read(json, counts);
    }

    /** One erasure task per deleted tenant of a deletion request. */
    private static UUID taskId(UUID deletionId, UUID tenant) {
        return UUID.nameUUIDFromBytes(("billing-erasure:" + deletionId + ":" + tenant).getBytes(StandardCharsets.UTF_8));
    }
}
