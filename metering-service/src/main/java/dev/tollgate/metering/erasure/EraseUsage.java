package dev.tollgate.metering.erasure;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Pseudonymizes a user's usage: the ledger keeps every event and every total (invoices are built from them)
 * but no longer says whose they were. The user's events lose their user and subject ids; the user's totals move
 * into the tenant's totals of no user; usage of the user's that arrives later is recorded the same way. When the
 * tenant is deleted too, its events are deleted and its totals kept, all under no user, with its entitlements
 * and threshold records removed. The receipt ({@code account.purged}) goes out through the outbox in the same
 * transaction. Runs inside the inbox's transaction.
 */
@ApplicationScoped
public class EraseUsage {

    public static final String SERVICE = "metering";
    private static final Logger LOG = Logger.getLogger(EraseUsage.class);
    private static final String NO_USER = LedgerRepository.NO_USER.toString();

    private final Outbox outbox;

    public EraseUsage(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> erase(AccountDeleted request) {
        Map<String, Long> counts = new LinkedHashMap<>();
        UUID user = request.userId();
        // the ledger reads erased_users in every batch: a batch that started first commits before this
        // erasure goes on (and is pseudonymized with the rest), one that starts later sees the user erased
        return Panache.getSession().chain(session -> run(session, counts, null,
                "lock table {h-schema}erased_users in access exclusive mode", Map.of())
                .chain(() -> run(session, counts, null, """
                        insert into {h-schema}erased_users (user_id, deletion_id) values (:user, :deletion)
                        on conflict do nothing""", Map.of("user", user, "deletion", request.deletionId())))
                .chain(() -> run(session, counts, "usage_events", """
                        update {h-schema}usage_events set user_id = null, subject_id = null
                        where user_id = :user""", Map.of("user", user)))
                .chain(() -> run(session, counts, "usage_totals", mergeTotals("user_id = :user"), Map.of("user", user)))
                .chain(() -> request.tenantDeleted() ? eraseTenant(session, counts, request.tenantId())
                        : Uni.createFrom().voidItem()))
                .chain(() -> {
                    LOG.infof("audit: erased usage of user %s for deletion %s: %s", user, request.deletionId(), counts);
                    return outbox.append(AccountPurged.of(request, SERVICE, counts));
                });
    }

    private Uni<Void> eraseTenant(Mutiny.Session session, Map<String, Long> counts, UUID tenant) {
        Map<String, Object> byTenant = Map.of("tenant", tenant);
        return run(session, counts, "usage_totals", mergeTotals("tenant_id = :tenant"), byTenant)
                .chain(() -> run(session, counts, "tenant_usage_events",
                        "delete from {h-schema}usage_events where tenant_id = :tenant", byTenant))
                .chain(() -> run(session, counts, "entitlements",
                        "delete from {h-schema}entitlements where tenant_id = :tenant", byTenant))
                .chain(() -> run(session, counts, "threshold_alerts",
                        "delete from {h-schema}threshold_alerts where tenant_id = :tenant", byTenant));
    }

    /** Moves the totals of the rows {@code where} selects into their tenant's totals of no user. */
    private static String mergeTotals(String where) {
        return """
                with moved as (
                    delete from {h-schema}usage_aggregates where %1$s and user_id <> '%2$s'
                    returning tenant_id, period_start, metric, units
                )
                insert into {h-schema}usage_aggregates (tenant_id, period_start, user_id, metric, units)
                select tenant_id, period_start, '%2$s'::uuid, metric, sum(units) from moved
                group by tenant_id, period_start, metric
                on conflict (tenant_id, period_start, user_id, metric)
                    do update set units = usage_aggregates.units + excluded.units, updated_at = now()""".formatted(where,
                NO_USER);
    }

    /** Runs a statement and counts its rows under {@code what} (null: not counted). */
    private static Uni<Void> run(Mutiny.Session session, Map<String, Long> counts, String what, String sql,
            Map<String, Object> parameters) {
        var query = session.createNativeQuery(sql);
        parameters.forEach(query::setParameter);
        return query.executeUpdate().invoke(rows -> {
            if (what != null) {
                counts.merge(what, (long) rows, Long::sum);
            }
        }).replaceWithVoid();
    }
}
