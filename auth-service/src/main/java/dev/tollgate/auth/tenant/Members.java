package dev.tollgate.auth.tenant;

import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.auth.token.repository.RefreshFamilyRepository;
import dev.tollgate.auth.user.repository.UserRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.MemberChanged;
import dev.tollgate.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Changing roles and removing members. Owners manage everyone; admins manage admins and members; anyone may
 * leave. A tenant always keeps an owner, and keeps its memberships while one of its members is being erased. A removed member's
 * sessions and API keys in the tenant end at once, and
 * every change is announced on {@code member.changed} so that no service trusts the role an older token carries.
 */
@ApplicationScoped
public class Members {

    private static final Logger LOG = Logger.getLogger(Members.class);

    private final MembershipRepository memberships;
    private final RefreshFamilyRepository sessions;
    private final UserRepository users;
    private final MemberKeys keys;
    private final Outbox outbox;
    private final ErasureHolds holds;

    public Members(MembershipRepository memberships, RefreshFamilyRepository sessions, UserRepository users,
            MemberKeys keys, Outbox outbox, ErasureHolds holds) {
        this.holds = holds;
        this.keys = keys;
        this.outbox = outbox;
        this.memberships = memberships;
        this.sessions = sessions;
        this.users = users;
    }

    @WithTransaction
    public Uni<MemberView> changeRole(UUID actorId, UUID tenantId, UUID userId, String role) {
        return memberships.lockByTenant(tenantId).call(() -> holds.requireNoneIn(tenantId, userId)).chain(members -> {
            Membership actor = find(members, actorId, tenantId);
            Membership target = find(members, userId, null);
            requireAllowed(actor, target, role);
            if (Membership.OWNER.equals(target.role) && !Membership.OWNER.equals(role)) {
                requireAnotherOwner(members, target);
            }
            String before = target.role;
            target.role = role;
            LOG.infof("audit: user %s changed the role of user %s in tenant %s from %s to %s",
                    actorId, userId, tenantId, before, role);
            Uni<Void> announced = before.equals(role) ? Uni.createFrom().voidItem()
                    : outbox.append(MemberChanged.of(tenantId, userId, role));
            return announced.chain(() -> users.findById(userId)).map(user -> new MemberView(target.userId, user.email,
                    target.role, target.createdAt));
        });
    }

    @WithTransaction
    public Uni<Void> remove(UUID actorId, UUID tenantId, UUID userId) {
        return memberships.lockByTenant(tenantId).call(() -> holds.requireNoneIn(tenantId, userId)).chain(members -> {
            Membership actor = find(members, actorId, tenantId);
            Membership target = find(members, userId, null);
            if (!actorId.equals(userId)) {
                requireAllowed(actor, target, target.role);
            }
            if (Membership.OWNER.equals(target.role)) {
                requireAnotherOwner(members, target);
            }
            LOG.infof("audit: user %s removed user %s from tenant %s", actorId, userId, tenantId);
            return memberships.delete(target)
                    .chain(() -> sessions.update("revokedAt = ?1, revokedReason = 'left-tenant' "
                            + "where userId = ?2 and tenantId = ?3 and revokedAt is null", Instant.now(), userId, tenantId))
                    .chain(() -> keys.revokeAll(tenantId, userId, "left-tenant"))
                    .chain(() -> outbox.append(MemberChanged.of(tenantId, userId, null)));
        });
    }

    private static Membership find(List<Membership> members, UUID userId, UUID hiddenTenant) {
        return members.stream().filter(m -> m.userId.equals(userId)).findFirst().orElseThrow(
                () -> hiddenTenant != null ? Problems.notFound("tenant", hiddenTenant) : Problems.notFound("member", userId));
    }

    private static void requireAllowed(Membership actor, Membership target, String newRole) {
        if (!TenantAccess.isManager(actor.role)) {
            throw Problems.forbidden("only the tenant's owners and admins may do this");
        }
        boolean touchesOwner = Membership.OWNER.equals(target.role) || Membership.OWNER.equals(newRole);
        if (touchesOwner && !Membership.OWNER.equals(actor.role)) {
            throw Problems.forbidden("only an owner may make or change an owner");
        }
    }

    private static void requireAnotherOwner(List<Membership> members, Membership leaving) {
        boolean another = members.stream()
                .anyMatch(m -> m != leaving && Membership.OWNER.equals(m.role));
        if (!another) {
            throw Problems.builder(Response.Status.CONFLICT, "last-owner", "Last Owner")
                    .withDetail("a tenant must keep an owner: make another member owner first")
                    .build();
        }
    }
}
