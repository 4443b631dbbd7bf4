package dev.tollgate.auth.token.api;

import dev.tollgate.auth.token.RefreshFamily;
import dev.tollgate.auth.token.UserSessions;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** The signed-in user's sessions, and signing out. */
@Access(session = Role.MEMBER)
@Path("/auth")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final UserSessions sessions;
    private final CallerContext callers;

    public SessionResource(UserSessions sessions, CallerContext callers) {
        this.sessions = sessions;
        this.callers = callers;
    }

    @GET
    @Path("sessions")
    public Uni<List<UserSessions.SessionView>> list() {
        Caller caller = callers.require();
        return sessions.list(caller.userId(), caller.sessionId());
    }

    @DELETE
    @Path("sessions/{id}")
    public Uni<RestResponse<Void>> end(@RestPath UUID id) {
        return sessions.end(callers.require().userId(), id, RefreshFamily.REVOKED_BY_USER)
                .map(done -> RestResponse.noContent());
    }

    /** Ends the session the access token belongs to and clears the browser's refresh cookie. */
    @POST
    @Path("logout")
    public Uni<RestResponse<Void>> logout() {
        Caller caller = callers.require();
        return sessions.end(caller.userId(), caller.sessionId(), RefreshFamily.REVOKED_BY_LOGOUT)
                .map(done -> RestResponse.ResponseBuilder.<Void> noContent()
                        .cookie(new NewCookie.Builder(RefreshCookie.NAME).value("").path("/auth").maxAge(0)
                                .httpOnly(true).secure(true).sameSite(NewCookie.SameSite.STRICT).build())
                        .build());
    }
}
