package dev.tollgate.auth.user;

import dev.tollgate.auth.tenant.Membership;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Where to write to users, for account-service's notifications: a user's address, a tenant's owners and admins. */
@ApplicationScoped
public class UserContacts {

    /** A user to write to. */
    public record Contact(UUID userId, String email, String role) {
    }

    /** The user's address; null for an unknown user. */
    public Uni<Contact> of(UUID userId) {
        return Panache.withSession(() -> User.<User> findById(userId))
                .map(user -> user == null ? null : new Contact(user.id, user.email, null));
    }

    /** The tenant's owners and admins with their addresses. */
    public Uni<List<Contact>> runnersOf(UUID tenantId) {
        return Panache.withSession(() -> Membership.<Membership> list(
                "tenantId = ?1 and role in ('owner', 'admin') order by createdAt", tenantId)
                .chain(memberships -> memberships.isEmpty() ? Uni.createFrom().item(List.<Contact> of())
                        : User.<User> list("id in ?1", memberships.stream().map(m -> m.userId).toList()).map(users -> {
                            Map<UUID, User> byId = users.stream().collect(Collectors.toMap(u -> u.id, Function.identity()));
                            return memberships.stream().filter(m -> byId.containsKey(m.userId))
                                    .map(m -> new Contact(m.userId, byId.get(m.userId).email, m.role)).toList();
                        })));
    }
}
