package dev.tollgate.account.erasure;

import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code account.purged} once, through the inbox. */
@Startup
@ApplicationScoped
public class AccountPurgedConsumer {

    static final String CHANNEL = "account-purged";

    private final Inbox.Handler<AccountPurged> handler;

    public AccountPurgedConsumer(Inbox inbox, RecordReceipt receipts) {
        this.handler = inbox.handler("account-erasure", EventType.ACCOUNT_PURGED, receipts::record);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return handler.apply(payload).replaceWithVoid();
    }
}
