package dev.tollgate.account.notification;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.event.ThresholdCrossed;
import dev.tollgate.common.inbox.Inbox;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** {@code threshold.crossed} and {@code subscription.changed}, each applied once through the inbox, for mail. */
@Startup
@ApplicationScoped
public class NotificationConsumers {

    static final String CONSUMER = "account-notifications";

    private final Inbox.Handler<ThresholdCrossed> thresholdCrossed;
    private final Inbox.Handler<SubscriptionChanged> subscriptionChanged;
    private final TenantNotifications notifications;

    public NotificationConsumers(Inbox inbox, TenantNotifications notifications) {
        this.notifications = notifications;
        this.thresholdCrossed = inbox.handler(CONSUMER, EventType.THRESHOLD_CROSSED, notifications::thresholdCrossed);
        this.subscriptionChanged = inbox.handler(CONSUMER, EventType.SUBSCRIPTION_CHANGED, notifications::subscriptionChanged);
    }

    @Incoming("threshold-crossed")
    public Uni<Void> thresholdCrossed(String payload) {
        return thresholdCrossed.apply(payload)
                .replaceWithVoid();
    }

    @Incoming("subscription-changed")
    public Uni<Void> subscriptionChanged(String payload) {
        return subscriptionChanged.apply(payload)
                .replaceWithVoid();
    }
}
