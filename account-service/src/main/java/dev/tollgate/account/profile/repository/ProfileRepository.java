package dev.tollgate.account.profile.repository;

import dev.tollgate.account.profile.Profile;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Profiles by user. */
@ApplicationScoped
public class ProfileRepository implements PanacheRepositoryBase<Profile, UUID> {

    /** Removes the user's profile; answers how many rows went (0 or 1). */
    public Uni<Long> erase(UUID userId) {
        return delete("userId", userId);
    }
}
