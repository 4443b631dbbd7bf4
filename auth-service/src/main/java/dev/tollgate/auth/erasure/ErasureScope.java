package dev.tollgate.auth.erasure;

import dev.tollgate.auth.tenant.ErasureHolds;
import dev.tollgate.auth.tenant.Membership;
import dev.tollgate.auth.tenant.Tenant;
import dev.tollgate.auth.user.User;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Fixes what erasing a user takes with it, asked by account-service before it announces {@code account.deleted}:
 * the tenants the user belongs to, those of them the user alone owns (deleted with them), and the other members of
 * those, who are told. The answer is held ({@link ErasureHolds}): asked again, it is the same, and no membership of
 * the user's tenants changes until the erasure is applied.
 */
@ApplicationScoped
public class ErasureScope {

    private static final Logger LOG = Logger.getLogger(ErasureScope.class);

    /** The user's tenants, those deleted with them, and the other members of those. */
    public record Scope(UUID userId, List<UUID> tenants, List<UUID> soleOwnedTenants, List<MemberLeft> membersLeft) {
    }

    /** A member of a tenant deleted with its owner: {@code email} to tell them. */
    public record MemberLeft(UUID tenantId, String tenantName, UUID userId, String email) {
    }

    private final ErasureHolds holds;

    public ErasureScope(ErasureHolds holds) {
        this.holds = holds;
    }

    /**
     * Fixes (or, asked again, answers) the scope of erasure {@code deletionId} of the user. The user's row and every
     * membership of their tenants are locked first, in the order Members locks them; the memberships are then read
     * again in a statement of their own, so one that an invitation added while this waited is seen too.
     */
    public Uni<Scope> hold(UUID userId, UUID deletionId) {
        return Panache.withTransaction(() -> User.<User> findById(userId, LockModeType.PESSIMISTIC_WRITE).chain(user -> {
            if (user == null) {
                return Uni.createFrom().item(new Scope(userId, List.of(), List.of(), List.of()));
            }
            String mine = "tenantId in (select m.tenantId from Membership m where m.userId = ?1) order by tenantId, "
                    + "createdAt";
            return Membership.<Membership> find(mine, userId).withLock(LockModeType.PESSIMISTIC_WRITE).list()
                    .chain(() -> Membership.<Membership> list(mine, userId))
                    .chain(memberships -> holds.held(userId).chain(held -> holds.heldAmong(memberships.stream()
                            .map(m -> m.userId).filter(other -> !other.equals(userId)).distinct().toList())
                            .chain(othersErased -> {
                                // an owner being erased too leaves the tenant as surely as this user does
                                List<UUID> sole = held != null ? held : soleOwned(memberships, userId, othersErased);
                                Uni<Void> recorded = holds.hold(userId, deletionId, sole).invoke(() -> {
                                    if (held == null) {
                                        LOG.infof("audit: erasure %s of user %s holds its tenants; deleted with it: %s",
                                                deletionId, userId, sole);
                                    }
                                });
                                return recorded.chain(() -> left(memberships, userId, othersErased, sole))
                                        .map(left -> new Scope(userId,
                                                memberships.stream().filter(m -> m.userId.equals(userId)).map(m -> m.tenantId)
                                                        .distinct().toList(),
                                                sole, left));
                            })));
        }));
    }

    /** Ends the hold of erasure {@code deletionId}, which account-service could not record. */
    public Uni<Boolean> release(UUID userId, UUID deletionId) {
        return holds.release(userId, deletionId).invoke(released -> {
            if (released) {
                LOG.infof("audit: erasure %s of user %s was not recorded; its hold on the user's tenants ends",
                        deletionId, userId);
            }
        });
    }

    /** Tenants in which the user is an owner and no one else is who stays (is not being erased). */
    private static List<UUID> soleOwned(List<Membership> memberships, UUID userId, Set<UUID> othersErased) {
        Set<UUID> othersOwn = memberships.stream()
                .filter(m -> Membership.OWNER.equals(m.role) && !m.userId.equals(userId)
                        && !othersErased.contains(m.userId))
                .map(m -> m.tenantId).collect(Collectors.toSet());
        return memberships.stream()
                .filter(m -> m.userId.equals(userId) && Membership.OWNER.equals(m.role) && !othersOwn.contains(m.tenantId))
                .map(m -> m.tenantId).distinct().toList();
    }

    /**
     * The other members of the tenants deleted with the user (those not being erased themselves), with their
     * addresses and the tenants' names.
     */
    private static Uni<List<MemberLeft>> left(List<Membership> memberships, UUID userId, Set<UUID> othersErased,
            List<UUID> deleted) {
        List<Membership> others = memberships.stream().filter(m -> deleted.contains(m.tenantId)
                && !m.userId.equals(userId) && !othersErased.contains(m.userId)).toList();
        if (others.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return User.<User> list("id in ?1", others.stream().map(m -> m.userId).distinct().toList())
                .chain(users -> Tenant.<Tenant> list("id in ?1", deleted).map(tenants -> {
                    Map<UUID, User> usersById = users.stream().collect(Collectors.toMap(u -> u.id, Function.identity()));
                    Map<UUID, String> names = tenants.stream().collect(Collectors.toMap(t -> t.id, t -> t.name));
                    return others.stream().filter(m -> usersById.containsKey(m.userId))
                            .map(m -> new MemberLeft(m.tenantId, names.get(m.tenantId), m.userId,
                                    usersById.get(m.userId).email))
                            .toList();
                }));
    }
}
