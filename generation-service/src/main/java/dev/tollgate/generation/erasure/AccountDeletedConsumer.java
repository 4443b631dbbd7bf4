package dev.tollgate.generation.erasure;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code account.deleted} once, through the inbox. */
@Startup
@ApplicationScoped
public class AccountDeletedConsumer {

    static final String CHANNEL = "account-deleted";

    private final Inbox.Handler<AccountDeleted> handler;

    public AccountDeletedConsumer(Inbox inbox, EraseGenerations erase) {
        this.handler = inbox.handler(EraseGenerations.SERVICE, EventType.ACCOUNT_DELETED, erase::erase);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return handler.apply(payload).replaceWithVoid();
    }
}
