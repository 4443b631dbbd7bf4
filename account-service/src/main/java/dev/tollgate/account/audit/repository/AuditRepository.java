package dev.tollgate.account.audit.repository;

import dev.tollgate.account.audit.AuditEntry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The audit log. Reads name the tenant; the log is append-only (a trigger refuses updates and deletes), except
 * for the maintenance statements here, which open the way for their own transaction.
 */
@ApplicationScoped
public class AuditRepository implements PanacheRepositoryBase<AuditEntry, Long> {

    /** A filter of a tenant's log; null fields do not filter. */
    public record Filter(UUID tenantId, String action, String actor, Instant from, Instant to, Long before, int limit) {
    }

    /** The tenant's entries matching {@code filter}, newest first. */
    public Uni<List<AuditEntry>> page(Filter filter) {
        StringBuilder query = new StringBuilder("tenantId = :tenant");
        Parameters parameters = Parameters.with("tenant", filter.tenantId());
        if (filter.action() != null) {
            query.append(" and action = :action");
            parameters.and("action", filter.action());
        }
        if (filter.actor() != null) {
            query.append(" and actor = :actor");
            parameters.and("actor", filter.actor());
        }
        if (filter.from() != null) {
            query.append(" and occurredAt >= :from");
            parameters.and("from", filter.from());
        }
        if (filter.to() != null) {
            query.append(" and occurredAt < :to");
            parameters.and("to", filter.to());
        }
        if (filter.before() != null) {
            query.append(" and id < :before");
            parameters.and("before", filter.before());
        }
        return find(query + " order by id desc", parameters).page(0, filter.limit()).list();
    }

    /** Replaces an erased user's id, and their addresses, in every entry naming them; answers how many. */
    public Uni<Integer> pseudonymize(UUID userId, UUID pseudonym, String actor) {
        return Panache.getSession().chain(session -> openMaintenance(session)
                .chain(() -> session.createNativeQuery("""
                        update {h-schema}audit_log set user_id = case when user_id = :user then :pseudonym
                            else user_id end, actor = case when actor = :userText then :actor else actor end,
                            ip = null
                        where user_id = :user or actor = :userText""")
                        .setParameter("user", userId)
                        .setParameter("userText", userId.toString())
                        .setParameter("pseudonym", pseudonym)
                        .setParameter("actor", actor)
                        .executeUpdate()));
    }

    /** Deletes every entry of tenants deleted by an erasure; answers how many. */
    public Uni<Integer> eraseTenants(List<UUID> tenants) {
        if (tenants.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Panache.getSession().chain(session -> openMaintenance(session)
                .chain(() -> session.createNativeQuery("delete from {h-schema}audit_log where tenant_id = any(:tenants)")
                        .setParameter("tenants", tenants.toArray(UUID[]::new))
                        .executeUpdate()));
    }

    /** Deletes the entries older than {@code before} (retention); answers how many. */
    public Uni<Integer> prune(Instant before) {
        return Panache.getSession().chain(session -> openMaintenance(session)
                .chain(() -> session.createNativeQuery("delete from {h-schema}audit_log where occurred_at < :before")
                        .setParameter("before", before)
                        .executeUpdate()));
    }

    private static Uni<Integer> openMaintenance(org.hibernate.reactive.mutiny.Mutiny.Session session) {
        return session.createNativeQuery("select set_config('tollgate.audit_maintenance', 'on', true)")
                .getSingleResult().replaceWith(0);
    }
}
