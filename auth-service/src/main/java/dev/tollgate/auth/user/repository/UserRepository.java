package dev.tollgate.auth.user.repository;

import dev.tollgate.auth.user.User;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<User, UUID> {

    /** Addresses are compared as given in lower case; callers normalise them first. */
    public Uni<User> findByEmail(String email) {
        return find("email", email).firstResult();
    }
}
