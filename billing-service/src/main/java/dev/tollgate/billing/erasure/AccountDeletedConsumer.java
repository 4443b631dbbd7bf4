package dev.tollgate.billing.erasure;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code account.deleted} once, through the inbox. */
@ApplicationScoped
public class AccountDeletedConsumer {

    static final String CHANNEL = "account-deleted";

    private final Inbox inbox;
    private final EraseBilling erase;

    public AccountDeletedConsumer(Inbox inbox, EraseBilling erase) {
        this.inbox = inbox;
        this.erase = erase;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return inbox.apply(EraseBilling.SERVICE, EventType.ACCOUNT_DELETED, payload, erase::erase).replaceWithVoid();
    }
}
