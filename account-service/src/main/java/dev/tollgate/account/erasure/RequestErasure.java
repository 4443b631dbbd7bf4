package dev.tollgate.account.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.account.audit.RecordAudit;
import dev.tollgate.account.audit.repository.AuditRepository;
import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.repository.DeletionRepository;
import dev.tollgate.account.export.repository.ExportRepository;
import dev.tollgate.account.internal.Contacts;
import dev.tollgate.account.notification.Notify;
import dev.tollgate.account.profile.repository.ProfileRepository;
import dev.tollgate.common.audit.AuditTrail;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Starts an erasure (GDPR Art. 17): asks auth-service whether the tenant goes too (the user is its only owner),
 * then in one transaction records the request, erases what account-service holds (profile, exports) with its own
 * receipt, and announces {@code account.deleted} through the outbox. Requires a sign-in of the last
 * {@code tollgate.account.erasure.recent-sign-in}; a second request answers the first.
 */
@ApplicationScoped
public class RequestErasure {

    public static final String SERVICE = "account";
    private static final Logger LOG = Logger.getLogger(RequestErasure.class);

    /** The erasure request; {@code existing} when an earlier request is answered. */
    public record ErasureRequested(UUID deletionId, boolean tenantDeleted, Instant requestedAt, Instant deadlineAt,
            boolean existing) {
        static ErasureRequested of(DeletionRequest request, boolean existing) {
            return new ErasureRequested(request.id, request.tenantDeleted, request.requestedAt, request.deadlineAt,
                    existing);
        }
    }

    private final AuditTrail audit;
    private final Contacts contacts;
    private final DeletionRepository deletions;
    private final Notify notifications;
    private final ProfileRepository profiles;
    private final ExportRepository exports;
    private final AuditRepository auditLog;
    private final ErasureScopes scopes;
    private final Outbox outbox;
    private final AccountConfig config;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public RequestErasure(DeletionRepository deletions, ProfileRepository profiles, ExportRepository exports,
            ErasureScopes scopes, Outbox outbox, AccountConfig config, ObjectMapper json,
            MeterRegistry registry, AuditTrail audit, AuditRepository auditLog, Contacts contacts, Notify notifications) {
        this.notifications = notifications;
        this.contacts = contacts;
        this.auditLog = auditLog;
        this.audit = audit;
        this.deletions = deletions;
        this.profiles = profiles;
        this.exports = exports;
        this.scopes = scopes;
        this.outbox = outbox;
        this.config = config;
        this.json = json;
        this.registry = registry;
    }

    /** {@code signedInAt}: the access token's {@code auth_time}, null if it has none. */
    public Uni<ErasureRequested> request(Caller caller, Instant signedInAt) {
        if (caller.sessionId() == null) {
            throw Problems.forbidden("only the user, signed in, deletes their account; an API key cannot");
        }
        return Panache.withSession(() -> deletions.ofUser(caller.userId())).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(ErasureRequested.of(existing, true));
            }
            Instant oldest = Instant.now().minus(config.erasure().recentSignIn());
            if (signedInAt == null || signedInAt.isBefore(oldest)) {
                throw Problems.builder(Response.Status.FORBIDDEN, "recent-sign-in-required", "Recent Sign-In Required")
                        .withDetail("deleting the account needs a sign-in of the last "
                                + config.erasure().recentSignIn().toMinutes() + " minutes; sign in again and retry")
                        .build();
            }
            return scopes.of(caller.userId()).chain(scope -> contacts.of(caller.userId())
                    .onFailure().recoverWithNull()
                    .chain(contact -> Panache.withTransaction(() -> start(caller,
                            scope.soleOwnedTenants().contains(caller.tenantId()),
                            contact == null ? null : contact.email()))
                            // a concurrent request of the same user won the unique row: answer that one
                            .onFailure().recoverWithUni(e -> Panache.withSession(() -> deletions.ofUser(caller.userId()))
                                    .map(winner -> {
                                        if (winner == null) {
                                            throw e instanceof RuntimeException runtime ? runtime
                                                    : new IllegalStateException(e);
                                        }
                                        return ErasureRequested.of(winner, true);
                                    }))));
        });
    }

    private Uni<ErasureRequested> start(Caller caller, boolean tenantDeleted, String contactEmail) {
        DeletionRequest request = new DeletionRequest();
        request.id = UUID.randomUUID();
        request.userId = caller.userId();
        request.tenantId = caller.tenantId();
        request.tenantDeleted = tenantDeleted;
        request.requestedAt = Instant.now();
        request.deadlineAt = request.requestedAt.plus(config.erasure().deadline());
        request.contactEmail = contactEmail;
        return deletions.persist(request)
                .chain(() -> Panache.getSession().chain(session -> session.flush()))
                .chain(() -> profiles.erase(caller.userId()))
                .chain(erasedProfiles -> exports.erase(caller.userId())
                        .chain(erasedExports -> notifications.erase(caller.userId())
                                .chain(erasedMails -> receipt(request.id, Map.of("profiles", erasedProfiles,
                                        "exports", erasedExports, "notifications", (long) erasedMails)))))
                .chain(() -> auditLog.pseudonymize(caller.userId(), RecordAudit.pseudonym(request.id),
                        RecordAudit.erasedActor(request.id)))
                .chain(() -> outbox.append(AccountDeleted.of(caller.tenantId(), request.id, caller.userId(), tenantDeleted)))
                .call(() -> audit.record(caller.tenantId(), "account.erasure-requested", caller.userId().toString(),
                        caller.userId(), null, Map.of("deletionId", request.id.toString(),
                                "tenantDeleted", Boolean.toString(tenantDeleted))))
                .map(ignored -> {
                    registry.counter("tollgate.account.erasures", "outcome", "requested").increment();
                    LOG.infof("audit: user %s asked to be erased (deletion %s, tenant %s %s); account.deleted announced",
                            caller.userId(), request.id, caller.tenantId(), tenantDeleted ? "deleted too" : "stays");
                    return ErasureRequested.of(request, false);
                });
    }

    private Uni<Void> receipt(UUID deletionId, Map<String, Long> counts) {
        return DeletionReceipt.of(deletionId, SERVICE, counts, json).persist().replaceWithVoid();
    }
}
