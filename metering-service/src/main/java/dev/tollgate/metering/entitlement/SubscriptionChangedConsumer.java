package dev.tollgate.metering.entitlement;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import dev.tollgate.common.plan.ApplySubscriptionChange;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code subscription.changed} once, through the inbox. */
@ApplicationScoped
public class SubscriptionChangedConsumer {

    static final String CHANNEL = "subscription-changed";
    static final String CONSUMER = "metering";

    private final Inbox inbox;
    private final ApplySubscriptionChange change;

    public SubscriptionChangedConsumer(Inbox inbox, ApplySubscriptionChange change) {
        this.inbox = inbox;
        this.change = change;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return inbox.apply(CONSUMER, EventType.SUBSCRIPTION_CHANGED, payload, change::apply)
                .replaceWithVoid();
    }
}
