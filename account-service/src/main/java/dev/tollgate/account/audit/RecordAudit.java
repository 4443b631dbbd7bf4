package dev.tollgate.account.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.account.audit.repository.AuditRepository;
import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.erasure.ErasureLocks;
import dev.tollgate.common.event.AuditRecorded;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Appends an {@code audit.recorded} to the tenant's log (once: the inbox keeps the event id). An action of a user
 * already erased (it was in flight when the erasure ran) is stored under the same pseudonym as their older
 * entries. Runs inside the inbox's transaction.
 */
@ApplicationScoped
public class RecordAudit {

    private static final Logger LOG = Logger.getLogger(RecordAudit.class);

    private final AuditRepository log;
    private final ErasedUsers erased;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    private final int lockSpace;

    public RecordAudit(AuditRepository log, ErasedUsers erased, ObjectMapper json, MeterRegistry registry,
            ServiceConfig service) {
        this.lockSpace = ErasureLocks.space(service.schema());
        this.log = log;
        this.erased = erased;
        this.json = json;
        this.registry = registry;
    }

    /** The pseudonym that replaces an erased user's id in the log: the same for all entries of one erasure. */
    public static UUID pseudonym(UUID deletionId) {
        return UUID.nameUUIDFromBytes(("erased-user:" + deletionId).getBytes(StandardCharsets.UTF_8));
    }

    /** What replaces an erased user as actor. */
    public static String erasedActor(UUID deletionId) {
        return "erased:" + deletionId;
    }

    public Uni<Void> record(AuditRecorded event) {
        AuditEntry entry = new AuditEntry();
        entry.eventId = event.eventId();
        entry.tenantId = event.tenantId();
        entry.occurredAt = event.occurredAt();
        entry.service = event.service();
        entry.action = event.action();
        entry.actor = event.actor();
        entry.userId = event.userId();
        entry.ip = event.ip();
        try {
            entry.details = json.writeValueAsString(event.details());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        entry.recordedAt = Instant.now();
        UUID subject = event.userId() != null ? event.userId() : actorUser(event.actor());
        Uni<Void> pseudonymized = subject == null ? Uni.createFrom().voidItem()
                : erased.erasureOf(subject).invoke(erasure -> {
                    if (erasure != null) {
                        if (subject.equals(entry.userId)) {
                            entry.userId = pseudonym(erasure);
                        }
                        if (subject.toString().equals(entry.actor)) {
                            entry.actor = erasedActor(erasure);
                        }
                        entry.ip = null;
                    }
                }).replaceWithVoid();
        // the tenant's erasure lock first, in a statement of its own: an erasure marking it meanwhile is then seen
        return Panache.getSession().chain(session -> ErasureLocks.shared(session, lockSpace, List.of(event.tenantId())))
                .chain(() -> erased.tenantErased(event.tenantId())).chain(tenantErased -> {
                    if (tenantErased) {
                        // the tenant's log was deleted with it: a late entry would bring part of it back
                        registry.counter("tollgate.account.audit.entries.dropped", "reason", "tenant-erased").increment();
                        LOG.debugf("audit: entry %s (%s) names tenant %s, deleted by an erasure; not kept", event.eventId(),
                                event.action(), event.tenantId());
                        return Uni.createFrom().voidItem();
                    }
                    return pseudonymized.chain(() -> log.persist(entry))
                            .invoke(() -> registry.counter("tollgate.account.audit.entries", "service", event.service())
                                    .increment())
                            .replaceWithVoid();
                });
    }

    private static UUID actorUser(String actor) {
        try {
            return actor == null ? null : UUID.fromString(actor);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
