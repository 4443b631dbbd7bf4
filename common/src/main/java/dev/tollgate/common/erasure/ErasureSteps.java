package dev.tollgate.common.erasure;

import dev.tollgate.common.event.AccountDeleted;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * What a service deletes for an erasure, carried out by {@link ErasureJobs}: the marks that keep late writes out,
 * set under the erasure's locks, and the statements that delete (or pseudonymize) the rows in batches.
 */
public interface ErasureSteps {

    /** The service, as its receipt names it. */
    String service();

    /**
     * Marks the user and the request's tenants erased; runs in the erasure's first transaction, under its locks.
     * By default in the schema's {@code erased_users} and {@code erased_tenants} (each with the deletion id).
     */
    default Uni<Void> mark(Mutiny.Session session, AccountDeleted request) {
        Uni<Integer> chain = session.createNativeQuery("""
                insert into {h-schema}erased_users (user_id, deletion_id) values (:user, :deletion)
                on conflict do nothing""")
                .setParameter("user", request.userId())
                .setParameter("deletion", request.deletionId())
                .executeUpdate();
        for (UUID tenant : request.erasedTenants()) {
            chain = chain.chain(() -> session.createNativeQuery("""
                    insert into {h-schema}erased_tenants (tenant_id, deletion_id) values (:tenant, :deletion)
                    on conflict do nothing""")
                    .setParameter("tenant", tenant)
                    .setParameter("deletion", request.deletionId())
                    .executeUpdate());
        }
        return chain.replaceWithVoid();
    }

    /** The statements, in order; each touches at most {@code :batch} rows and answers how many. */
    List<Step> steps(Job job);

    /** An erasure under way. */
    record Job(UUID deletionId, UUID userId, UUID tenantId, List<UUID> tenants) {
    }

    /**
     * One statement, run again until it touches fewer than {@code :batch} rows; the rows it touches are counted
     * under {@code counted} in the receipt (null: not counted).
     */
    record Step(String counted, String sql, Map<String, Object> parameters) {
    }
}
