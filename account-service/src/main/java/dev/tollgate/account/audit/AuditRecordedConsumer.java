package dev.tollgate.account.audit;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code audit.recorded} once, through the inbox. */
@ApplicationScoped
public class AuditRecordedConsumer {

    static final String CHANNEL = "audit-recorded";

    private final Inbox inbox;
    private final RecordAudit record;

    public AuditRecordedConsumer(Inbox inbox, RecordAudit record) {
        this.inbox = inbox;
        this.record = record;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return inbox.apply("account-audit", EventType.AUDIT_RECORDED, payload, record::record).replaceWithVoid();
    }
}
