package dev.tollgate.billing.overage;

import com.stripe.param.billing.MeterEventCreateParams;
import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.stripe.StripeApi;
import dev.tollgate.billing.stripe.StripeTask;
import dev.tollgate.billing.stripe.StripeTaskHandler;
import dev.tollgate.billing.stripe.repository.StripeTaskRepository;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import dev.tollgate.common.event.UsageRecorded;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Reports the usage of tenants whose plan bills overage to the Stripe meter: each {@code usage.recorded} that happened
 * while its tenant was on such a plan (the plan in force at the usage's time, not when the event is read) becomes one
 * meter event whose identifier is the usage event's id, written as a {@link StripeTask} (a
 * redelivered usage event adds nothing) and sent by {@code RunStripeTasks} with retries; Stripe drops a second
 * meter event with the same identifier, so none is counted twice.
 */
@ApplicationScoped
public class ReportUsage implements StripeTaskHandler {

    private static final Logger LOG = Logger.getLogger(ReportUsage.class);

    private final SubscriptionRepository subscriptions;
    private final StripeTaskRepository tasks;
    private final PlanCatalog catalog;
    private final StripeApi stripe;
    private final BillingConfig config;

    public ReportUsage(SubscriptionRepository subscriptions, StripeTaskRepository tasks, PlanCatalog catalog,
            StripeApi stripe, BillingConfig config) {
        this.subscriptions = subscriptions;
        this.tasks = tasks;
        this.catalog = catalog;
        this.stripe = stripe;
        this.config = config;
    }

    /** Queues {@code usage} for the meter if the tenant's plan bills overage; true if queued (first time). */
    public Uni<Boolean> queue(UsageRecorded usage) {
        long value = config.overage().metrics().stream()
                .mapToLong(metric -> usage.quantities().getOrDefault(metric, 0L)).sum();
        if (value <= 0) {
            return Uni.createFrom().item(false);
        }
        return Panache.withTransaction(() -> subscriptions.findById(usage.tenantId())
                .chain(subscription -> subscription == null ? Uni.createFrom().item(false)
                        : subscriptions.planAt(usage.tenantId(), usage.occurredAt()).chain(remembered -> {
                            // the plan in force when the usage happened decides, whatever the tenant is on now; a subscription
                            // applied before plans were remembered counts with its plan
                            String planThen = remembered != null ? remembered : subscription.plan;
                            boolean metered = catalog.named(planThen).map(plan -> plan.entitlements().overageAllowed())
                                    .orElse(false);
                            if (!metered) {
                                return Uni.createFrom().item(false);
                            }
                            StripeTask task = StripeTask.of(usage.eventId(), StripeTask.METER_EVENT, usage.tenantId(),
                                    subscription.stripeCustomerId, usage.occurredAt());
                            task.stripeSubscriptionId = subscription.stripeSubscriptionId;
                            task.meterValue = value;
                            return tasks.addOnce(task);
                        })));
    }

    @Override
    public String kind() {
        return StripeTask.METER_EVENT;
    }

    @Override
    public Uni<Void> callStripe(StripeTask task) {
        return stripe.call("report meter event", client -> client.v1().billing().meterEvents().create(
                MeterEventCreateParams.builder()
                        .setEventName(config.overage().meterEventName())
                        .setIdentifier(task.id.toString())
                        .setTimestamp(task.occurredAt.getEpochSecond())
                        .putPayload("stripe_customer_id", task.stripeCustomerId)
                        .putPayload("value", Long.toString(task.meterValue))
                        .build(),
                StripeApi.idempotent("tollgate-meter-" + task.id)))
                .invoke(event -> LOG.debugf("billing: reported %d to meter %s for tenant %s (usage %s)",
                        task.meterValue, event.getEventName(), task.tenantId, task.id))
                .replaceWithVoid();
    }
}
