package dev.tollgate.common.audit;

import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.event.AuditRecorded;
import dev.tollgate.common.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;

/**
 * Records a security-relevant action for the tenant's audit log: an {@code audit.recorded} event written to the
 * outbox in the caller's transaction, so the log holds exactly the actions that happened.
 */
@ApplicationScoped
public class AuditTrail {

    private final Outbox outbox;
    private final String service;

    public AuditTrail(Outbox outbox, ServiceConfig config) {
        this.outbox = outbox;
        this.service = config.name();
    }

    /** {@code action} is {@code <service>.<verb>}; {@code actor} a user id, {@code service:<name>} or {@code stripe}. */
    public Uni<Void> record(UUID tenantId, String action, String actor, UUID userId, String ip,
            Map<String, String> details) {
        return outbox.append(AuditRecorded.of(tenantId, service, action, actor, userId, ip, details));
    }
}
