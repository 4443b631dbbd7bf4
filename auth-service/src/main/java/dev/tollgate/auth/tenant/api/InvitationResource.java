package dev.tollgate.auth.tenant.api;

import dev.tollgate.auth.tenant.Invitations;
import dev.tollgate.auth.tenant.TenantView;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Accepting an invitation, signed in as the invited address. */
@Access(session = Role.MEMBER)
@Path("/auth/invitations")
public class InvitationResource {

    private final Invitations invitations;
    private final CallerContext callers;

    public InvitationResource(Invitations invitations, CallerContext callers) {
        this.invitations = invitations;
        this.callers = callers;
    }

    @POST
    @Path("accept")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<TenantView> accept(@Valid @NotNull TenantRequests.Acceptance body) {
        return invitations.accept(callers.require().userId(), body.token());
    }
}
