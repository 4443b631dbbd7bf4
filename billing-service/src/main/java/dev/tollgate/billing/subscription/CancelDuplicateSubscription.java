package dev.tollgate.billing.subscription;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Invoice;
import com.stripe.model.InvoicePayment;
import com.stripe.model.Subscription;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import dev.tollgate.billing.stripe.StripeApi;
import dev.tollgate.billing.stripe.StripeTask;
import dev.tollgate.billing.stripe.StripeTaskHandler;
import dev.tollgate.billing.stripe.repository.StripeTaskRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A tenant can have one live subscription. When Stripe reports a second one anyway (two checkouts paid before the
 * first's webhook arrived, a subscription made in Stripe's dashboard), {@link SyncSubscription} keeps one and queues
 * this task for the other. At Stripe, while the kept one is still live: the other is cancelled now, without proration
 * or a final invoice, and each payment of its invoices from the time both were live is refunded, in its amount (reason
 * {@code duplicate}). Invoices from before the kept one began are the other's own history and are left alone, and so is
 * one that ended before the kept one began (an old subscription's late event). Each call carries its idempotency
 * key, so a retry cancels and refunds once. Every duplicate is counted
 * ({@code tollgate_billing_subscription_duplicates_total}) and alerted.
 */
@ApplicationScoped
public class CancelDuplicateSubscription implements StripeTaskHandler {

    public static final String KIND = "cancel-duplicate";
    private static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");
    /** Stripe creates a subscription's first invoice in the same moment as the subscription, give or take. */
    private static final long SLACK_SECONDS = 60;
    private static final Logger LOG = Logger.getLogger(CancelDuplicateSubscription.class);

    private final StripeTaskRepository tasks;
    private final StripeApi stripe;
    private final Counter duplicates;

    public CancelDuplicateSubscription(StripeTaskRepository tasks, StripeApi stripe, MeterRegistry registry) {
        this.tasks = tasks;
        this.stripe = stripe;
        // registered at zero: the first duplicate after a start is an increase the alert sees
        this.duplicates = registry.counter("tollgate.billing.subscription.duplicates");
    }

    /**
     * Queues the cancellation and refund of {@code duplicate}, the tenant's second live subscription besides
     * {@code kept}, once however often Stripe reports it. Runs in the caller's transaction.
     */
    public Uni<Void> queue(UUID tenantId, String customerId, String duplicate, String kept, Instant eventCreated) {
        StripeTask task = StripeTask.of(UUID.nameUUIDFromBytes(("duplicate-subscription:" + duplicate)
                .getBytes(StandardCharsets.UTF_8)), KIND, tenantId, customerId, eventCreated);
        task.stripeSubscriptionId = duplicate;
        task.keptSubscriptionId = kept;
        return tasks.addOnce(task).invoke(first -> {
            if (first) {
                duplicates.increment();
                LOG.errorf("alert: tenant %s has a second live subscription %s besides %s (customer %s): it is "
                        + "cancelled at Stripe and its payments since both were live refunded (task %s)", tenantId,
                        duplicate, kept, customerId, task.id);
            }
        }).replaceWithVoid();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Uni<Void> callStripe(StripeTask task) {
        return stripe.call("cancel duplicate subscription", client -> {
            Subscription duplicate = retrieve(client, task.stripeSubscriptionId);
            Subscription kept = task.keptSubscriptionId == null ? null : retrieve(client, task.keptSubscriptionId);
            if (duplicate == null || kept == null || ENDED.contains(kept.getStatus())) {
                LOG.warnf("billing: tenant %s's subscriptions %s and %s are no longer both at Stripe with %s live; "
                        + "nothing cancelled or refunded", task.tenantId, task.stripeSubscriptionId,
                        task.keptSubscriptionId, task.keptSubscriptionId);
                return 0;
            }
            long overlap = Math.max(created(kept), created(duplicate)) - SLACK_SECONDS;
            Long ended = ENDED.contains(duplicate.getStatus())
                    ? (duplicate.getEndedAt() != null ? duplicate.getEndedAt() : duplicate.getCanceledAt())
                    : null;
            if (ended != null && ended < overlap) {
                LOG.infof("billing: subscription %s of tenant %s had ended before %s began; nothing refunded",
                        task.stripeSubscriptionId, task.tenantId, task.keptSubscriptionId);
                return 0;
            }
            if (ended == null) {
                client.v1().subscriptions().cancel(task.stripeSubscriptionId, SubscriptionCancelParams.builder()
                        .setProrate(false).setInvoiceNow(false).build(),
                        StripeApi.idempotent("tollgate-duplicate-" + task.id));
            }
            return refundSince(client, task, overlap);
        }).invoke(refunds -> LOG.infof("audit: duplicate subscription %s of tenant %s (kept %s) cancelled at Stripe, "
                + "%d payment(s) refunded", task.stripeSubscriptionId, task.tenantId, task.keptSubscriptionId, refunds))
                .replaceWithVoid();
    }

    private static long created(Subscription subscription) {
        return subscription.getCreated() == null ? 0 : subscription.getCreated();
    }

    /** The subscription {@code id}; null when Stripe does not know it. */
    private static Subscription retrieve(StripeClient client, String id) throws StripeException {
        try {
            return client.v1().subscriptions().retrieve(id);
        } catch (InvalidRequestException e) {
            if ("resource_missing".equals(e.getCode())) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Refunds each payment of the duplicate's paid invoices created at {@code since} or later, in its amount; answers
     * how many were refunded now. A payment Stripe refuses to refund does not stop the others: the first refusal is
     * thrown once all were tried.
     */
    private static int refundSince(StripeClient client, StripeTask task, long since) throws StripeException {
        int refunded = 0;
        StripeException refused = null;
        for (Invoice invoice : client.v1().invoices().list(InvoiceListParams.builder()
                .setSubscription(task.stripeSubscriptionId).setStatus(InvoiceListParams.Status.PAID).setLimit(100L)
                .build()).autoPagingIterable()) {
            if (invoice.getAmountPaid() == null || invoice.getAmountPaid() <= 0 || invoice.getCreated() == null
                    || invoice.getCreated() < since) {
                continue;
            }
            for (InvoicePayment payment : client.v1().invoicePayments().list(InvoicePaymentListParams.builder()
                    .setInvoice(invoice.getId()).setStatus(InvoicePaymentListParams.Status.PAID).setLimit(100L)
                    .build()).autoPagingIterable()) {
                InvoicePayment.Payment paid = payment.getPayment();
                if (paid == null || (paid.getPaymentIntent() == null && paid.getCharge() == null)
                        || payment.getAmountPaid() == null || payment.getAmountPaid() <= 0) {
                    continue;
                }
                String target = paid.getPaymentIntent() != null ? paid.getPaymentIntent() : paid.getCharge();
                RefundCreateParams.Builder refund = RefundCreateParams.builder()
                        .setAmount(payment.getAmountPaid())
                        .setReason(RefundCreateParams.Reason.DUPLICATE)
                        .putMetadata("tenant_id", task.tenantId.toString())
                        .putMetadata("duplicate_subscription", task.stripeSubscriptionId)
                        .putMetadata("invoice", invoice.getId());
                if (paid.getPaymentIntent() != null) {
                    refund.setPaymentIntent(target);
                } else {
                    refund.setCharge(target);
                }
                try {
                    client.v1().refunds().create(refund.build(),
                            StripeApi.idempotent("tollgate-refund-" + invoice.getId() + "-" + target));
                    refunded++;
                } catch (InvalidRequestException e) {
                    if (!"charge_already_refunded".equals(e.getCode())) {
                        LOG.warnf("billing: Stripe refused to refund %s of invoice %s (duplicate subscription %s): %s",
                                target, invoice.getId(), task.stripeSubscriptionId, e.getMessage());
                        refused = refused == null ? e : refused;
                    }
                }
            }
        }
        if (refused != null) {
            throw refused;
        }
        return refunded;
    }
}
