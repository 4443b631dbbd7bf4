package dev.tollgate.auth.tenant.api;

import dev.tollgate.auth.tenant.Invitations;
import dev.tollgate.auth.tenant.MemberView;
import dev.tollgate.auth.tenant.Members;
import dev.tollgate.auth.tenant.TenantView;
import dev.tollgate.auth.tenant.Tenants;
import dev.tollgate.auth.token.Sessions;
import dev.tollgate.auth.token.api.RefreshCookie;
import dev.tollgate.auth.token.api.TokenResponse;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** Tenants the caller belongs to, their members and invitations, and switching the active tenant. */
@Access(session = Role.MEMBER)
@Path("/auth/tenants")
@Produces(MediaType.APPLICATION_JSON)
public class TenantResource {

    private final Tenants tenants;
    private final Members members;
    private final Invitations invitations;
    private final Sessions sessions;
    private final RefreshCookie cookie;
    private final CallerContext callers;

    public TenantResource(Tenants tenants, Members members, Invitations invitations, Sessions sessions,
            RefreshCookie cookie, CallerContext callers) {
        this.tenants = tenants;
        this.members = members;
        this.invitations = invitations;
        this.sessions = sessions;
        this.cookie = cookie;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<TenantView>> create(@Valid @NotNull TenantRequests.NewTenant body) {
        return tenants.create(callers.require().userId(), body.name())
                .map(tenant -> RestResponse.ResponseBuilder.<TenantView> created(URI.create("/auth/tenants/" + tenant.id()))
                        .entity(tenant).build());
    }

    @GET
    public Uni<List<TenantView>> mine() {
        return tenants.mine(callers.require().userId());
    }

    @GET
    @Path("{id}")
    public Uni<TenantView> get(@RestPath UUID id) {
        return tenants.get(callers.require().userId(), id);
    }

    @GET
    @Path("{id}/members")
    public Uni<List<MemberView>> members(@RestPath UUID id) {
        return tenants.members(callers.require().userId(), id);
    }

    @PATCH
    @Path("{id}/members/{userId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<MemberView> changeRole(@RestPath UUID id, @RestPath UUID userId,
            @Valid @NotNull TenantRequests.RoleChange body) {
        return members.changeRole(callers.require().userId(), id, userId, body.role());
    }

    @DELETE
    @Path("{id}/members/{userId}")
    public Uni<RestResponse<Void>> remove(@RestPath UUID id, @RestPath UUID userId) {
        return members.remove(callers.require().userId(), id, userId).map(done -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/invitations")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Invitations.Sent>> invite(@RestPath UUID id,
            @Valid @NotNull TenantRequests.NewInvitation body) {
        return invitations.invite(callers.require().userId(), id, body.email(), body.role())
                .map(RestResponse::accepted);
    }

    /**
     * Moves the session to another tenant the caller belongs to. With the session's refresh token (the browser's
     * cookie, or {@code refresh_token} in a form for native apps) that token is spent and its successor, for the new
     * tenant, comes back; without it only an access token comes back and the refresh token the client holds goes on
     * refreshing into the new tenant. Either way the session keeps one refresh chain.
     */
    @POST
    @Path("{id}/switch")
    public Uni<RestResponse<TokenResponse>> switchTo(@RestPath UUID id,
            @CookieParam(RefreshCookie.NAME) String refreshCookie,
            @RestForm("refresh_token") String refreshToken) {
        Caller caller = callers.require();
        return sessions.switchTenant(caller.userId(), caller.sessionId(), id,
                refreshToken != null ? refreshToken : refreshCookie)
                .map(pair -> cookie.answer(pair, refreshToken != null));
    }
}
