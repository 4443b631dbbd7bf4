package dev.tollgate.auth.tenant;

import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.auth.tenant.repository.TenantRepository;
import dev.tollgate.auth.user.User;
import dev.tollgate.auth.user.repository.UserRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Creating tenants and reading the ones a user belongs to. */
@ApplicationScoped
public class Tenants {

    private static final Logger LOG = Logger.getLogger(Tenants.class);

    private final TenantRepository tenants;
    private final MembershipRepository memberships;
    private final UserRepository users;
    private final TenantAccess access;
    private final ErasureHolds holds;

    public Tenants(TenantRepository tenants, MembershipRepository memberships, UserRepository users,
            TenantAccess access, ErasureHolds holds) {
        this.holds = holds;
        this.tenants = tenants;
        this.memberships = memberships;
        this.users = users;
        this.access = access;
    }

    /** A new team tenant whose only member, its owner, is the user. */
    @WithTransaction
    public Uni<TenantView> create(UUID userId, String name) {
        Tenant tenant = new Tenant();
        tenant.id = UUID.randomUUID();
        tenant.name = name.trim();
        tenant.personal = false;
        tenant.createdAt = Instant.now();
        Membership owner = new Membership();
        owner.tenantId = tenant.id;
        owner.userId = userId;
        owner.role = Membership.OWNER;
        owner.createdAt = tenant.createdAt;
        // the user's row is shared-locked: an erasure fixing its scope locks it, so it sees this tenant or refuses it
        return users.findById(userId, LockModeType.PESSIMISTIC_READ).call(() -> holds.requireNotHeld(userId))
                .chain(() -> tenants.persist(tenant)).chain(() -> memberships.persist(owner))
                .invoke(() -> LOG.infof("audit: user %s created tenant %s", userId, tenant.id))
                .map(saved -> TenantView.of(tenant, Membership.OWNER));
    }

    @WithSession
    public Uni<List<TenantView>> mine(UUID userId) {
        return memberships.listByUser(userId).chain(mine -> tenants
                .list("id in ?1 order by createdAt", mine.stream().map(m -> m.tenantId).toList())
                .map(found -> {
                    Map<UUID, String> roles = mine.stream().collect(Collectors.toMap(m -> m.tenantId, m -> m.role));
                    return found.stream().map(tenant -> TenantView.of(tenant, roles.get(tenant.id))).toList();
                }));
    }

    @WithSession
    public Uni<TenantView> get(UUID userId, UUID tenantId) {
        return access.member(userId, tenantId)
                .chain(membership -> tenants.findById(tenantId).map(tenant -> TenantView.of(tenant, membership.role)));
    }

    @WithSession
    public Uni<List<MemberView>> members(UUID userId, UUID tenantId) {
        return access.member(userId, tenantId)
                .chain(() -> memberships.listByTenant(tenantId))
                .chain(members -> users.list("id in ?1", members.stream().map(m -> m.userId).toList())
                        .map(found -> {
                            Map<UUID, User> byId = found.stream().collect(Collectors.toMap(u -> u.id, Function.identity()));
                            return members.stream()
                                    .map(m -> new MemberView(m.userId, byId.get(m.userId).email, m.role, m.createdAt))
                                    .toList();
                        }));
    }
}
