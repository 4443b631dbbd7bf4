package dev.tollgate.generation.erasure;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Deletes what generation-service holds about a user: their generations and their ratings of them (prompts and
 * outputs are personal data; the usage they caused stays in metering's ledger without their id). When the tenant is deleted
 * too, its
 * generations and its entitlements go as well. The receipt ({@code account.purged}) goes out through the outbox
 * in the same transaction. Runs inside the inbox's transaction.
 */
@ApplicationScoped
public class EraseGenerations {

    public static final String SERVICE = "generation";
    private static final Logger LOG = Logger.getLogger(EraseGenerations.class);

    private final Outbox outbox;

    public EraseGenerations(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> erase(AccountDeleted request) {
        Map<String, Long> counts = new LinkedHashMap<>();
        // a completion being recorded holds erased_users; one recorded after this sees the user and stores nothing
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "lock table {h-schema}erased_users in access exclusive mode").executeUpdate()
                .chain(() -> session.createNativeQuery("insert into {h-schema}erased_users (user_id, deletion_id) "
                        + "values (:user, :deletion) on conflict do nothing")
                        .setParameter("user", request.userId())
                        .setParameter("deletion", request.deletionId())
                        .executeUpdate())
                .chain(() -> delete(session, counts, "feedback",
                        "delete from {h-schema}feedback where user_id = :id", request.userId()))
                .chain(() -> delete(session, counts, "generations",
                        "delete from {h-schema}generations where user_id = :id", request.userId()))
                .chain(() -> request.tenantDeleted()
                        ? session.createNativeQuery("insert into {h-schema}erased_tenants (tenant_id, deletion_id) "
                                + "values (:tenant, :deletion) on conflict do nothing")
                                .setParameter("tenant", request.tenantId())
                                .setParameter("deletion", request.deletionId())
                                .executeUpdate()
                                .chain(() -> delete(session, counts, "feedback",
                                        "delete from {h-schema}feedback where tenant_id = :id", request.tenantId())
                                        .chain(() -> delete(session, counts, "generations",
                                                "delete from {h-schema}generations where tenant_id = :id", request.tenantId()))
                                        .chain(() -> delete(session, counts, "entitlements",
                                                "delete from {h-schema}entitlements where tenant_id = :id",
                                                request.tenantId())))
                        : Uni.createFrom().voidItem()))
                .chain(() -> {
                    LOG.infof("audit: erased generations of user %s for deletion %s: %s", request.userId(),
                            request.deletionId(), counts);
                    return outbox.append(AccountPurged.of(request, SERVICE, counts));
                });
    }

    private static Uni<Void> delete(Mutiny.Session session, Map<String, Long> counts, String what, String sql,
            Object id) {
        return session.createNativeQuery(sql).setParameter("id", id).executeUpdate()
                .invoke(rows -> counts.merge(what, (long) rows, Long::sum))
                .replaceWithVoid();
    }
}
