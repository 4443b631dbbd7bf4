package dev.tollgate.auth.tenant;

import dev.tollgate.common.error.Problems;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The erasures under way, as far as ownership goes: a user who asked to be erased holds the memberships of every
 * tenant they belong to until their {@code account.deleted} is applied here (the hold goes with the user), so
 * that the tenants fixed as theirs alone stay exactly that, however late the request arrives. account-service
 * releases a hold whose request it could not record. Each check runs inside the caller's transaction, after it has
 * locked what it changes.
 */
@ApplicationScoped
public class ErasureHolds {

    /** Fails with 409 {@code erasure-in-progress} if a member of {@code tenantId}, or {@code userId}, is being erased. */
    public Uni<Void> requireNoneIn(UUID tenantId, UUID userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select count(*) from {h-schema}erasure_holds h
                where h.user_id = :user
                    or h.user_id in (select m.user_id from {h-schema}memberships m where m.tenant_id = :tenant)""",
                Long.class)
                .setParameter("user", userId)
                .setParameter("tenant", tenantId)
                .getSingleResult())
                .invoke(holds -> {
                    if (holds > 0) {
                        throw inProgress("a member of this tenant asked to be erased; its memberships stay as they "
                                + "are until the erasure is done");
                    }
                })
                .replaceWithVoid();
    }

    /** Fails with 409 {@code erasure-in-progress} if {@code userId} is being erased. */
    public Uni<Void> requireNotHeld(UUID userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select count(*) from {h-schema}erasure_holds where user_id = :user", Long.class)
                .setParameter("user", userId)
                .getSingleResult())
                .invoke(holds -> {
                    if (holds > 0) {
                        throw inProgress("this account is being erased; it creates and joins no tenant");
                    }
                })
                .replaceWithVoid();
    }

    /** The tenants the user's first hold fixed, or null when there is none. Runs in the caller's transaction. */
    public Uni<List<UUID>> held(UUID userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select h.deletion_id, t.tenant from (select * from {h-schema}erasure_holds where user_id = :user
                    order by held_at limit 1) h
                left join lateral unnest(h.tenants) as t(tenant) on true""", Object[].class)
                .setParameter("user", userId)
                .getResultList())
                .map(rows -> rows.isEmpty() ? null
                        : rows.stream().filter(row -> row[1] != null).map(row -> (UUID) row[1]).toList());
    }

    /** Those of {@code users} being erased. Runs in the caller's transaction. */
    @SuppressWarnings("unchecked")
    public Uni<Set<UUID>> heldAmong(Collection<UUID> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select distinct user_id from {h-schema}erasure_holds where user_id = any(cast(:users as uuid[]))",
                UUID.class)
                .setParameter("users", users.toArray(UUID[]::new))
                .getResultList())
                .map(rows -> Set.copyOf((List<UUID>) (List<?>) rows));
    }

    /** Records the user's hold on {@code tenants} for erasure {@code deletionId}. Runs in the caller's transaction. */
    public Uni<Void> hold(UUID userId, UUID deletionId, List<UUID> tenants) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}erasure_holds (user_id, deletion_id, tenants, held_at)
                values (:user, :deletion, cast(:tenants as uuid[]), now())
                on conflict (user_id, deletion_id) do nothing""")
                .setParameter("user", userId)
                .setParameter("deletion", deletionId)
                .setParameter("tenants", tenants.toArray(UUID[]::new))
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Ends the hold of erasure {@code deletionId}, which account-service could not record; answers whether it did. */
    public Uni<Boolean> release(UUID userId, UUID deletionId) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                "delete from {h-schema}erasure_holds where user_id = :user and deletion_id = :deletion")
                .setParameter("user", userId)
                .setParameter("deletion", deletionId)
                .executeUpdate()))
                .map(rows -> rows > 0);
    }

    private static RuntimeException inProgress(String detail) {
        return Problems.builder(Response.Status.CONFLICT, "erasure-in-progress", "Erasure In Progress")
                .withDetail(detail).build();
    }
}
