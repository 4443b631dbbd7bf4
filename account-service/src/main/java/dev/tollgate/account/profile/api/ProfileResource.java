package dev.tollgate.account.profile.api;

import dev.tollgate.account.erasure.RequestErasure;
import dev.tollgate.account.profile.ManageProfile;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.json.JsonNumber;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The caller's own account: profile and preferences, and its erasure. */
@Access(session = Role.MEMBER)
@Path("/account/me")
@Produces(MediaType.APPLICATION_JSON)
public class ProfileResource {

    private final ManageProfile profiles;
    private final RequestErasure erasure;
    private final CallerContext caller;
    private final JsonWebToken token;

    public ProfileResource(ManageProfile profiles, RequestErasure erasure, CallerContext caller, JsonWebToken token) {
        this.profiles = profiles;
        this.erasure = erasure;
        this.caller = caller;
        this.token = token;
    }

    @GET
    @Operation(summary = "The caller's profile and preferences")
    public Uni<ManageProfile.ProfileView> get() {
        return profiles.read(caller.require());
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change display name, locale (BCP 47), time zone (IANA) or marketing consent")
    public Uni<ManageProfile.ProfileView> patch(ManageProfile.ProfileChange change) {
        return profiles.change(caller.require(), change);
    }

    @DELETE
    @Operation(summary = "Erase the account everywhere (needs a recent sign-in): 202 and the deletion to follow")
    public Uni<Response> delete() {
        Caller who = caller.require();
        return erasure.request(who, signedInAt()).map(requested -> Response.accepted(requested)
                .location(URI.create("/account/deletions/" + requested.deletionId())).build());
    }

    /** The token's {@code auth_time}: when the user signed in. */
    private Instant signedInAt() {
        Object value = token.getClaim(Caller.AUTH_TIME_CLAIM);
        if (value instanceof Number number) {
            return Instant.ofEpochSecond(number.longValue());
        }
        if (value instanceof JsonNumber number) {
            return Instant.ofEpochSecond(number.longValue());
        }
        return null;
    }
}
