package dev.tollgate.auth.user;

import dev.tollgate.auth.tenant.Membership;
import dev.tollgate.auth.tenant.Tenant;
import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.auth.tenant.repository.TenantRepository;
import dev.tollgate.auth.user.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Finds the user behind a verified address, creating the user and a personal tenant at first sign-in. */
@ApplicationScoped
public class ProvisionUser {

    private static final Logger LOG = Logger.getLogger(ProvisionUser.class);

    private final UserRepository users;
    private final TenantRepository tenants;
    private final MembershipRepository memberships;

    public ProvisionUser(UserRepository users, TenantRepository tenants, MembershipRepository memberships) {
        this.users = users;
        this.tenants = tenants;
        this.memberships = memberships;
    }

    /**
     * The user's membership in their personal tenant. Call inside a transaction. Two first sign-ins of one
     * address at once create one user: the insert skips an address that exists.
     */
    public Uni<Membership> signedIn(String email) {
        UUID candidate = UUID.randomUUID();
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                        "insert into {h-schema}users (id, email, created_at) values (:id, :email, now()) "
                                + "on conflict (email) do nothing")
                        .setParameter("id", candidate)
                        .setParameter("email", email)
                        .executeUpdate())
                .chain(inserted -> users.findByEmail(email).chain(this::signedIn));
    }

    /** The membership in the user's personal tenant, for a user found another way (a social identity). */
    public Uni<Membership> signedIn(User user) {
        user.lastSignInAt = Instant.now();
        return memberships.findPersonal(user.id)
                .chain(found -> found != null ? Uni.createFrom().item(found) : createPersonalTenant(user));
    }

    private Uni<Membership> createPersonalTenant(User user) {
        Tenant tenant = new Tenant();
        tenant.id = UUID.randomUUID();
        tenant.name = user.email;
        tenant.personal = true;
        tenant.createdAt = Instant.now();
        Membership owner = new Membership();
        owner.tenantId = tenant.id;
        owner.userId = user.id;
        owner.role = Membership.OWNER;
        owner.createdAt = tenant.createdAt;
        LOG.infof("audit: user %s signed up; personal tenant %s created", user.id, tenant.id);
        return tenants.persist(tenant).chain(() -> memberships.persist(owner));
    }
}
