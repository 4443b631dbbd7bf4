package dev.tollgate.auth.social.api;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.social.SignInWithProvider;
import dev.tollgate.auth.token.api.RefreshCookie;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.request.ClientAddress;
import dev.tollgate.common.security.Access;
import io.quarkus.oidc.IdToken;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.oidc.OidcSession;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.URI;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Social sign-in. Opening {@code /auth/social/<provider>/login} starts the provider's authorization-code flow
 * with PKCE and state (quarkus-oidc); when the provider sends the browser back and the code is exchanged, this
 * method signs the user in, ends the provider session cookie, and sends the browser on with Tollgate's own
 * refresh cookie.
 */
@Path("/auth/social")
public class SocialSignInResource {

    private final SignInWithProvider signIn;
    private final RefreshCookie cookie;
    private final OidcSession oidcSession;
    private final AuthConfig config;
    private final ClientAddress clients;

    @Inject
    SecurityIdentity identity;

    /** The provider's ID token; @IdToken applies to fields only. */
    @Inject
    @IdToken
    JsonWebToken idToken;

    public SocialSignInResource(SignInWithProvider signIn, RefreshCookie cookie, OidcSession oidcSession,
            AuthConfig config, ClientAddress clients) {
        this.clients = clients;
        this.signIn = signIn;
        this.cookie = cookie;
        this.oidcSession = oidcSession;
        this.config = config;
    }

    // the provider's code flow (quarkus-oidc, @Authenticated) is the credential here, not a Tollgate token
    @Access(anonymous = true)
    @GET
    @Path("{provider}/login")
    @Authenticated
    public Uni<RestResponse<Void>> login(@RestPath String provider,
            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
            @Context HttpServerRequest http) {
        if (identity.getCredential(IdTokenCredential.class) == null) {
            // a Tollgate bearer token satisfies @Authenticated too; only the provider's code flow signs in here
            throw Problems.builder(jakarta.ws.rs.core.Response.Status.FORBIDDEN, "provider-sign-in-required",
                    "Provider Sign-In Required").withDetail(
                            "this route signs in through " + provider
                                    + "'s own page; a Tollgate token is no sign-in here")
                    .build();
        }
        Object verified = idToken.getClaim("email_verified");
        SignInWithProvider.ProviderAccount account = new SignInWithProvider.ProviderAccount(provider,
                idToken.getSubject(), idToken.getClaim("email"), verified != null && Boolean.parseBoolean(
                        String.valueOf(verified)));
        return signIn.signIn(account, userAgent, clients.of(http))
                .call(pair -> oidcSession.logout())
                .map(pair -> RestResponse.ResponseBuilder.<Void> seeOther(URI.create(config.social().successUrl()))
                        .cookie(cookie.of(pair))
                        .header("Cache-Control", "no-store")
                        .build());
    }
}
