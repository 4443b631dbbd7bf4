package dev.tollgate.auth.token.api;

import dev.tollgate.auth.token.ServiceGrants;
import dev.tollgate.auth.token.Sessions;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The OAuth 2.0 token endpoint. Grants: {@code refresh_token} (from the form, or the browser's cookie),
 * {@code client_credentials} (form or HTTP Basic), and the RFC 8693 token exchange of an API key
 * ({@code subject_token_type=urn:tollgate:token-type:api-key}).
 */
@Access(anonymous = true)
@Path("/auth/token")
public class TokenResource {

    public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String API_KEY_TOKEN_TYPE = "urn:tollgate:token-type:api-key";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private final Sessions sessions;
    private final ServiceGrants grants;
    private final RefreshCookie cookie;

    public TokenResource(Sessions sessions, ServiceGrants grants, RefreshCookie cookie) {
        this.sessions = sessions;
        this.grants = grants;
        this.cookie = cookie;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<TokenResponse>> token(@FormParam("grant_type") String grantType,
            @FormParam("refresh_token") String refreshToken,
            @CookieParam(RefreshCookie.NAME) String refreshCookie,
            @FormParam("client_id") String clientId,
            @FormParam("client_secret") String clientSecret,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @FormParam("subject_token") String subjectToken,
            @FormParam("subject_token_type") String subjectTokenType) {
        if ("refresh_token".equals(grantType)) {
            // a client that sent the token in the form keeps it itself (a native app): the new one comes back in
            // the body too; a browser that sent its cookie gets the new one in the cookie only
            return sessions.refresh(refreshToken != null ? refreshToken : refreshCookie)
                    .map(pair -> cookie.answer(pair, refreshToken != null));
        }
        if ("client_credentials".equals(grantType)) {
            String[] basic = basicCredentials(authorization);
            return grants.clientCredentials(basic != null ? basic[0] : clientId, basic != null ? basic[1] : clientSecret)
                    .map(issued -> noStore(RestResponse.ResponseBuilder.ok(TokenResponse.of(issued, null))));
        }
        if (TOKEN_EXCHANGE.equals(grantType) && API_KEY_TOKEN_TYPE.equals(subjectTokenType)) {
            return grants.exchangeApiKey(subjectToken)
                    .map(issued -> noStore(RestResponse.ResponseBuilder.ok(TokenResponse.of(issued, ACCESS_TOKEN_TYPE))));
        }
        throw Problems.builder(Response.Status.BAD_REQUEST, "unsupported-grant-type", "Unsupported Grant Type")
                .withDetail("grant_type must be refresh_token, client_credentials, or " + TOKEN_EXCHANGE
                        + " with subject_token_type " + API_KEY_TOKEN_TYPE)
                .with("error", "unsupported_grant_type")
                .build();
    }

    private static RestResponse<TokenResponse> noStore(RestResponse.ResponseBuilder<TokenResponse> builder) {
        return builder.header("Cache-Control", "no-store").build();
    }

    /** {@code Authorization: Basic} as client id and secret (RFC 6749 2.3.1), or null. */
    private static String[] basicCredentials(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] { decoded.substring(0, colon), decoded.substring(colon + 1) };
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
