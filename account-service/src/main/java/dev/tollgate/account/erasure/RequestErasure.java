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
import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.erasure.ErasureConfig;
import dev.tollgate.common.erasure.ErasureLocks;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Starts an erasure (GDPR Art. 17): has auth-service fix which tenants go too (those the user alone owns), then in
 * one transaction records the request and its tenants, erases what account-service holds (profile, exports, the
 * deleted tenants' audit log) with its own receipt, queues a mail to each other member of a deleted tenant, and
 * announces {@code account.deleted}, naming every tenant, through the outbox. Requires a sign-in of the last
 * {@code tollgate.account.erasure.recent-sign-in}; a second request answers the first.
 */
@ApplicationScoped
public class RequestErasure {

    public static final String SERVICE = "account";
    private static final Logger LOG = Logger.getLogger(RequestErasure.class);

    /** The erasure request; {@code existing} when an earlier request is answered. */
    public record ErasureRequested(UUID deletionId, boolean tenantDeleted, List<UUID> tenantsDeleted,
            Instant requestedAt, Instant deadlineAt, boolean existing) {
        static ErasureRequested of(DeletionRequest request, List<UUID> tenantsDeleted, boolean existing) {
            return new ErasureRequested(request.id, request.tenantDeleted, tenantsDeleted, request.requestedAt,
                    request.deadlineAt, existing);
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
    private final ServiceConfig service;
    private final ErasureConfig erasure;

    public RequestErasure(DeletionRepository deletions, ProfileRepository profiles, ExportRepository exports,
            ErasureScopes scopes, Outbox outbox, AccountConfig config, ObjectMapper json,
            MeterRegistry registry, AuditTrail audit, AuditRepository auditLog, Contacts contacts, Notify notifications,
            ServiceConfig service, ErasureConfig erasure) {
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
        this.service = service;
        this.erasure = erasure;
    }

    /** {@code signedInAt}: the access token's {@code auth_time}, null if it has none. */
    public Uni<ErasureRequested> request(Caller caller, Instant signedInAt) {
        if (caller.sessionId() == null) {
            throw Problems.forbidden("only the user, signed in, deletes their account; an API key cannot");
        }
        return Panache.withSession(() -> deletions.ofUser(caller.userId()).chain(existing -> existing == null
                ? Uni.createFrom().nullItem()
                : deletions.tenantsOf(existing.id).map(tenants -> ErasureRequested.of(existing, tenants, true))))
                .chain(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().item(existing);
                    }
                    Instant oldest = Instant.now().minus(config.erasure().recentSignIn());
                    if (signedInAt == null || signedInAt.isBefore(oldest)) {
                        throw Problems.builder(Response.Status.FORBIDDEN, "recent-sign-in-required",
                                "Recent Sign-In Required")
                                .withDetail("deleting the account needs a sign-in of the last "
                                        + config.erasure().recentSignIn().toMinutes() + " minutes; sign in again and retry")
                                .build();
                    }
                    // auth-service fixes the scope (and holds it) before anything is recorded here
                    UUID deletionId = UUID.randomUUID();
                    // a scope auth-service fixed after this gave up waiting is released as well
                    return scopes.of(caller.userId(), deletionId)
                            .onFailure().call(() -> scopes.release(caller.userId(), deletionId))
                            .chain(scope -> contacts.of(caller.userId())
                                    .onFailure().recoverWithNull()
                                    .chain(contact -> Panache.withTransaction(() -> start(caller, deletionId, scope,
                                            contact == null ? null : contact.email()))
                                            // a concurrent request of the same user won the unique row: answer that one
                                            .onFailure().recoverWithUni(e -> Panache.withSession(() -> deletions
                                                    .ofUser(caller.userId()))
                                                    .chain(winner -> {
                                                        if (winner == null) {
                                                            // nothing recorded: the tenants are not held for nothing
                                                            return scopes.release(caller.userId(), deletionId)
                                                                    .chain(() -> Uni.createFrom()
                                                                            .<ErasureRequested> failure(e));
                                                        }
                                                        return Panache.withSession(() -> deletions.tenantsOf(winner.id))
                                                                .map(tenants -> ErasureRequested.of(winner, tenants, true));
                                                    }))));
                });
    }

    private Uni<ErasureRequested> start(Caller caller, UUID deletionId, ErasureScopes.Scope scope, String contactEmail) {
        List<UUID> tenants = scope.soleOwnedTenants();
        boolean tenantDeleted = tenants.contains(caller.tenantId());
        DeletionRequest request = new DeletionRequest();
        request.id = deletionId;
        request.userId = caller.userId();
        request.tenantId = caller.tenantId();
        request.tenantDeleted = tenantDeleted;
        request.scoped = true;
        request.requestedAt = Instant.now();
        request.deadlineAt = request.requestedAt.plus(config.erasure().deadline());
        request.contactEmail = contactEmail;
        return deletions.persist(request)
                .chain(() -> Panache.getSession().chain(session -> session.flush()))
                // audit entries being recorded for those tenants end first, or wait and then see them erased
                .chain(() -> Panache.getSession().chain(session -> ErasureLocks.exclusive(session,
                        ErasureLocks.space(service.schema()), tenants, erasure.lockTimeout())))
                .chain(() -> deletions.scope(request.id, tenants))
                .chain(() -> profiles.erase(caller.userId()))
                .chain(erasedProfiles -> exports.erase(caller.userId())
                        .chain(erasedExports -> notifications.erase(caller.userId())
                                .chain(erasedMails -> auditLog.eraseTenants(tenants)
                                        .chain(erasedEntries -> receipt(request.id, Map.of("profiles", erasedProfiles,
                                                "exports", erasedExports, "notifications", (long) erasedMails,
                                                "audit_entries_of_deleted_tenants", (long) erasedEntries))))))
                .chain(() -> auditLog.pseudonymize(caller.userId(), RecordAudit.pseudonym(request.id),
                        RecordAudit.erasedActor(request.id)))
                .chain(() -> tellMembersLeft(request.id, scope.membersLeft()))
                .chain(() -> outbox.append(AccountDeleted.of(caller.tenantId(), request.id, caller.userId(), tenants)))
                // an entry in a tenant deleted with the user would be about a tenant that no longer exists
                .call(() -> tenantDeleted ? Uni.createFrom().voidItem()
                        : audit.record(caller.tenantId(), "account.erasure-requested", caller.userId().toString(),
                                caller.userId(), null, Map.of("deletionId", request.id.toString(),
                                        "tenantsDeleted", Integer.toString(tenants.size()))))
                .map(ignored -> {
                    registry.counter("tollgate.account.erasures", "outcome", "requested").increment();
                    LOG.infof("audit: user %s asked to be erased (deletion %s); tenants deleted with them: %s; "
                            + "account.deleted announced", caller.userId(), request.id, tenants);
                    return ErasureRequested.of(request, tenants, false);
                });
    }

    /** Each other member of a tenant deleted with its owner gets one mail saying so. */
    private Uni<Void> tellMembersLeft(UUID deletionId, List<ErasureScopes.MemberLeft> members) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ErasureScopes.MemberLeft member : members) {
            String team = member.tenantName() == null ? "a team you belong to" : "the team " + member.tenantName();
            chain = chain.chain(() -> notifications.once("tenant-deleted:" + deletionId + ":" + member.tenantId() + ":"
                    + member.userId(), "tenant-deleted", member.userId(), member.email(),
                    "A Tollgate team you belong to is being deleted",
                    "The only owner of " + team + " deleted their account, and the team is deleted with it: its "
                            + "generations, usage, subscription and API keys. Your own account stays; you are no "
                            + "longer a member of that team."));
        }
        return chain;
    }

    private Uni<Void> receipt(UUID deletionId, Map<String, Long> counts) {
        return DeletionReceipt.of(deletionId, SERVICE, counts, json).persist().replaceWithVoid();
    }
}
