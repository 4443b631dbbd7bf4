package dev.tollgate.generation.plan;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.inbox.Inbox;
import dev.tollgate.common.plan.ApplySubscriptionChange;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Keeps each tenant's entitlements (models, quotas, rate limits) from {@code subscription.changed}, once per event. */
@Startup
@ApplicationScoped
public class SubscriptionChangedConsumer {

    static final String CHANNEL = "subscription-changed";
    static final String CONSUMER = "generation";

    private final Inbox.Handler<SubscriptionChanged> handler;

    public SubscriptionChangedConsumer(Inbox inbox, ApplySubscriptionChange change) {
        this.handler = inbox.handler(CONSUMER, EventType.SUBSCRIPTION_CHANGED, change::apply);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return handler.apply(payload).replaceWithVoid();
    }
}
