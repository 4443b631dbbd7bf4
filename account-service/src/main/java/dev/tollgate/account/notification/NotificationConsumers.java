package dev.tollgate.account.notification;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** {@code threshold.crossed} and {@code subscription.changed}, each applied once through the inbox, for mail. */
@ApplicationScoped
public class NotificationConsumers {

    static final String CONSUMER = "account-notifications";

    private final Inbox inbox;
    private final TenantNotifications notifications;

    public NotificationConsumers(Inbox inbox, TenantNotifications notifications) {
        this.inbox = inbox;
        this.notifications = notifications;
    }

    @Incoming("threshold-crossed")
    public Uni<Void> thresholdCrossed(String payload) {
        return inbox.apply(CONSUMER, EventType.THRESHOLD_CROSSED, payload, notifications::thresholdCrossed)
                .replaceWithVoid();
    }

    @Incoming("subscription-changed")
    public Uni<Void> subscriptionChanged(String payload) {
        return inbox.apply(CONSUMER, EventType.SUBSCRIPTION_CHANGED, payload, notifications::subscriptionChanged)
                .replaceWithVoid();
    }
}
