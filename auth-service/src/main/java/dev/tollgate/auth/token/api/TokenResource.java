package dev.tollgate.auth.token.api;

import dev.tollgate.auth.token.Sessions;
import dev.tollgate.common.error.Problems;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;

/** The OAuth 2.0 token endpoint. Grants: {@code refresh_token} (from the form, or the browser's cookie). */
@Path("/auth/token")
public class TokenResource {

    private final Sessions sessions;
    private final RefreshCookie cookie;

    public TokenResource(Sessions sessions, RefreshCookie cookie) {
        this.sessions = sessions;
        this.cookie = cookie;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<TokenResponse>> token(@FormParam("grant_type") String grantType,
                                                 @FormParam("refresh_token") String refreshToken,
                                                 @CookieParam(RefreshCookie.NAME) String refreshCookie) {
        if (!"refresh_token".equals(grantType)) {
            throw Problems.builder(Response.Status.BAD_REQUEST, "unsupported-grant-type",
                            "Unsupported Grant Type")
                    .withDetail("grant_type must be refresh_token")
                    .with("error", "unsupported_grant_type")
                    .build();
        }
        return sessions.refresh(refreshToken != null ? refreshToken : refreshCookie)
                .map(pair -> RestResponse.ResponseBuilder.ok(TokenResponse.of(pair))
                        .cookie(cookie.of(pair))
                        .header("Cache-Control", "no-store")
                        .build());
    }
}
