package dev.tollgate.generation.plan;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import dev.tollgate.common.plan.ApplySubscriptionChange;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Keeps each tenant's entitlements (models, quotas, rate limits) from {@code subscription.changed}, once per event. */
@ApplicationScoped
public class SubscriptionChangedConsumer {

    static final String CHANNEL = "subscription-changed";
    static final String CONSUMER = "generation";

    private final Inbox inbox;
    private final ApplySubscriptionChange change;

    public SubscriptionChangedConsumer(Inbox inbox, ApplySubscriptionChange change) {
        this.inbox = inbox;
        this.change = change;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return inbox.apply(CONSUMER, EventType.SUBSCRIPTION_CHANGED, payload, change::apply).replaceWithVoid();
    }
}
