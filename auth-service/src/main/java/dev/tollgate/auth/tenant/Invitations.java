package dev.tollgate.auth.tenant;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.security.OpaqueTokens;
import dev.tollgate.auth.tenant.repository.InvitationRepository;
import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.auth.tenant.repository.TenantRepository;
import dev.tollgate.auth.user.repository.UserRepository;
import dev.tollgate.common.error.Problems;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Inviting an address to a tenant by mail, and accepting as the user who holds that address. */
@ApplicationScoped
public class Invitations {

    private static final Logger LOG = Logger.getLogger(Invitations.class);

    private final InvitationRepository invitations;
    private final MembershipRepository memberships;
    private final TenantRepository tenants;
    private final UserRepository users;
    private final TenantAccess access;
    private final InvitationMail mail;
    private final AuthConfig config;
    private final ErasureHolds holds;

    public Invitations(InvitationRepository invitations, MembershipRepository memberships, TenantRepository tenants,
            UserRepository users, TenantAccess access, InvitationMail mail, AuthConfig config, ErasureHolds holds) {
        this.invitations = invitations;
        this.memberships = memberships;
        this.tenants = tenants;
        this.users = users;
        this.access = access;
        this.mail = mail;
        this.config = config;
        this.holds = holds;
    }

    /** What an invitation says once sent: whom, as what, until when. */
    public record Sent(String email, String role, Instant expiresAt) {
    }

    public Uni<Sent> invite(UUID actorId, UUID tenantId, String email, String role) {
        String address = email.trim().toLowerCase(Locale.ROOT);
        String token = OpaqueTokens.generate();
        Invitation invitation = new Invitation();
        invitation.tokenHash = OpaqueTokens.hash(token);
        invitation.tenantId = tenantId;
        invitation.email = address;
        invitation.role = role;
        invitation.invitedBy = actorId;
        invitation.createdAt = Instant.now();
        invitation.expiresAt = invitation.createdAt.plus(config.invitation().ttl());
        return Panache.withTransaction(() -> access.manager(actorId, tenantId).chain(actor -> {
            if (Membership.OWNER.equals(role) && !Membership.OWNER.equals(actor.role)) {
                return Uni.createFrom().failure(Problems.forbidden("only an owner may invite an owner"));
            }
            return invitations.persist(invitation).chain(() -> tenants.findById(tenantId));
        }))
                .call(tenant -> mail.send(address, tenant.name, role, token))
                .invoke(() -> LOG.infof("audit: user %s invited an address to tenant %s as %s", actorId, tenantId, role))
                .map(tenant -> new Sent(address, role, invitation.expiresAt));
    }

    /** Joins the invitation's tenant; only the user whose address was invited may accept. */
    public Uni<TenantView> accept(UUID userId, String token) {
        if (!OpaqueTokens.wellFormed(token)) {
            return Uni.createFrom().failure(Problems.of(Response.Status.BAD_REQUEST, "invitation-unknown",
                    "this invitation is not known"));
        }
        return Panache.withTransaction(() -> invitations.lockByHash(OpaqueTokens.hash(token))
                // the user's row shared-locked: an erasure fixing its scope meanwhile sees this or refuses it
                .chain(invitation -> users.findById(userId, LockModeType.PESSIMISTIC_READ).chain(user -> {
                    if (invitation == null) {
                        return Uni.createFrom().failure(Problems.of(Response.Status.BAD_REQUEST, "invitation-unknown",
                                "this invitation is not known"));
                    }
                    if (!invitation.email.equals(user.email)) {
                        return Uni.createFrom().failure(Problems.of(Response.Status.FORBIDDEN,
                                "invitation-for-another-address",
                                "this invitation was sent to another address; sign in with that address"));
                    }
                    if (invitation.acceptedAt != null) {
                        return Uni.createFrom().failure(Problems.of(Response.Status.GONE, "invitation-used",
                                "this invitation was already accepted"));
                    }
                    if (!invitation.expiresAt.isAfter(Instant.now())) {
                        return Uni.createFrom().failure(Problems.of(Response.Status.GONE, "invitation-expired",
                                "this invitation has expired; ask for a new one"));
                    }
                    // the tenant's memberships are locked as Members locks them, so an erasure fixing its scope
                    // meanwhile either sees this member or refuses them
                    return memberships.lockByTenant(invitation.tenantId)
                            .call(() -> holds.requireNoneIn(invitation.tenantId, userId))
                            .chain(() -> {
                                invitation.acceptedAt = Instant.now();
                                invitation.acceptedBy = userId;
                                return join(invitation, userId);
                            });
                })));
    }

    private Uni<TenantView> join(Invitation invitation, UUID userId) {
        return memberships.find(invitation.tenantId, userId).chain(existing -> {
            Uni<Membership> membership;
            if (existing != null) {
                membership = Uni.createFrom().item(existing);
            } else {
                Membership joined = new Membership();
                joined.tenantId = invitation.tenantId;
                joined.userId = userId;
                joined.role = invitation.role;
                joined.createdAt = Instant.now();
                membership = memberships.persist(joined);
            }
            return membership
                    .invoke(m -> LOG.infof("audit: user %s joined tenant %s as %s", userId, m.tenantId, m.role))
                    .chain(m -> tenants.findById(m.tenantId).map(tenant -> TenantView.of(tenant, m.role)));
        });
    }
}
