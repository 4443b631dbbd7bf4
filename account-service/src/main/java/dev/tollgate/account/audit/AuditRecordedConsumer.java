package dev.tollgate.account.audit;

import dev.tollgate.common.event.AuditRecorded;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.inbox.Inbox;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Applies each {@code audit.recorded} once, through the inbox. */
@Startup
@ApplicationScoped
public class AuditRecordedConsumer {

    static final String CHANNEL = "audit-recorded";

    private final Inbox.Handler<AuditRecorded> handler;

    public AuditRecordedConsumer(Inbox inbox, RecordAudit record) {
        this.handler = inbox.handler("account-audit", EventType.AUDIT_RECORDED, record::record);
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        return handler.apply(payload).replaceWithVoid();
    }
}
