package dev.tollgate.account.profile.repository;

import dev.tollgate.account.profile.Profile;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Profiles by user. */
@ApplicationScoped
public class ProfileRepository implements PanacheRepositoryBase<Profile, UUID> {

    /**
     * The user's profile, created empty (notifications on) when they have none. Concurrent first reads of one user
     * meet at the insert, which keeps the first row and skips the others; each then reads that one row.
     */
    public Uni<Profile> findOrCreate(UUID userId, UUID tenantId) {
        return findById(userId).chain(found -> found != null ? Uni.createFrom().item(found)
                : Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into {h-schema}profiles (user_id, tenant_id, marketing_consent, notify_usage,
                                                        notify_billing, created_at, updated_at)
                        values (:user, :tenant, false, true, true, now(), now())
                        on conflict (user_id) do nothing""")
                        .setParameter("user", userId).setParameter("tenant", tenantId).executeUpdate())
                        .chain(() -> findById(userId)));
    }

    /** Removes the user's profile; answers how many rows went (0 or 1). */
    public Uni<Long> erase(UUID userId) {
        return delete("userId", userId);
    }
}
