package dev.tollgate.auth.tenant;

import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.common.error.Problems;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Who may do what in a tenant, read from the memberships table (not from the token, which may be minutes old).
 * A tenant the user does not belong to answers 404, so its existence is not revealed; a member without the
 * needed role answers 403.
 */
@ApplicationScoped
public class TenantAccess {

    private final MembershipRepository memberships;

    public TenantAccess(MembershipRepository memberships) {
        this.memberships = memberships;
    }

    public Uni<Membership> member(UUID userId, UUID tenantId) {
        return memberships.find(tenantId, userId).onItem().ifNull()
                .failWith(() -> Problems.notFound("tenant", tenantId));
    }

    /** The user's membership if they are an owner or admin of the tenant. */
    public Uni<Membership> manager(UUID userId, UUID tenantId) {
        return member(userId, tenantId).invoke(membership -> {
            if (!isManager(membership.role)) {
                throw Problems.forbidden("only the tenant's owners and admins may do this");
            }
        });
    }

    public static boolean isManager(String role) {
        return Membership.OWNER.equals(role) || Membership.ADMIN.equals(role);
    }
}
