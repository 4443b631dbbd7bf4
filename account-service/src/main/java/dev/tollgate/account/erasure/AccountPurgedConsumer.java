package dev.tollgate.account.erasure;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code account.purged} once, through the inbox. */
@ApplicationScoped
public class AccountPurgedConsumer {

    static final String CHANNEL = "account-purged";

    private final Inbox inbox;
    private final RecordReceipt receipts;

    public AccountPurgedConsumer(Inbox inbox, RecordReceipt receipts) {
        this.inbox = inbox;
        this.receipts = receipts;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return inbox.apply("account-erasure", EventType.ACCOUNT_PURGED, payload, receipts::record).replaceWithVoid();
    }
}
