package dev.tollgate.auth.magiclink.api;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.magiclink.ConfirmMagicLink;
import dev.tollgate.auth.magiclink.RequestMagicLink;
import dev.tollgate.auth.security.OpaqueTokens;
import dev.tollgate.auth.token.api.RefreshCookie;
import dev.tollgate.auth.token.api.TokenResponse;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.request.ClientAddress;
import dev.tollgate.common.security.Access;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.Map;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Passwordless sign-in. The mailed link opens a confirmation page (GET, spends nothing, so mail scanners that
 * open links cannot burn them); confirming it (POST) signs the user in.
 */
@Access(anonymous = true)
@Path("/auth/magic-link")
public class MagicLinkResource {

    static final String ACCEPTED = "If the address can receive mail, a sign-in link is on its way.";

    private final RequestMagicLink requestLink;
    private final ConfirmMagicLink confirmLink;
    private final RefreshCookie cookie;
    private final AuthConfig config;
    private final MeterRegistry registry;
    private final ClientAddress clients;

    public MagicLinkResource(RequestMagicLink requestLink, ConfirmMagicLink confirmLink, RefreshCookie cookie,
            AuthConfig config, MeterRegistry registry, ClientAddress clients) {
        this.clients = clients;
        this.config = config;
        this.registry = registry;
        this.requestLink = requestLink;
        this.confirmLink = confirmLink;
        this.cookie = cookie;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Map<String, String>>> request(@Valid @NotNull MagicLinkRequest body,
            @Context HttpServerRequest http) {
        return requestLink.request(body.email(), body.redirect(), clients.of(http))
                .map(sent -> RestResponse.accepted(Map.of("status", "accepted", "detail", ACCEPTED)));
    }

    @GET
    @Path("confirm")
    @Produces(MediaType.TEXT_HTML)
    public RestResponse<String> confirmationPage(@QueryParam("token") String token) {
        String page = OpaqueTokens.wellFormed(token) ? ConfirmationPage.form(token) : ConfirmationPage.malformed();
        return RestResponse.ResponseBuilder.ok(page, MediaType.TEXT_HTML_TYPE)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
                .build();
    }

    @POST
    @Path("confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<TokenResponse>> confirm(@Valid @NotNull MagicLinkConfirmation body,
            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
            @Context HttpServerRequest http) {
        return confirmLink.confirm(body.token(), userAgent, clients.of(http))
                .map(signIn -> cookie.answer(signIn.tokens(), body.wantsRefreshTokenInBody()));
    }

    /** The confirmation page's form: the browser keeps the refresh cookie and goes on to the redirect. */
    @POST
    @Path("confirm")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Uni<RestResponse<String>> confirmFromPage(@FormParam("token") String token,
            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
            @HeaderParam("Sec-Fetch-Site") String fetchSite,
            @HeaderParam("Origin") String origin,
            @Context HttpServerRequest http) {
        if (!CrossSite.sameSite(fetchSite, origin, config.publicUrl())) {
            // another site's form posting someone's link would sign the visitor in as that someone
            registry.counter("tollgate.auth.magic_link.confirmations", "outcome", "cross-site").increment();
            throw Problems.builder(jakarta.ws.rs.core.Response.Status.FORBIDDEN, "cross-site-post", "Cross-Site Post")
                    .withDetail("the sign-in form must be sent from this site's own confirmation page, not from "
                            + (origin != null ? origin : "another site (Sec-Fetch-Site: " + fetchSite + ")"))
                    .build();
        }
        return confirmLink.confirm(token, userAgent, clients.of(http))
                .map(signIn -> (signIn.redirect() == null
                        ? RestResponse.ResponseBuilder.ok(ConfirmationPage.signedIn(), MediaType.TEXT_HTML_TYPE)
                        : RestResponse.ResponseBuilder.<String> seeOther(URI.create(signIn.redirect())))
                        .cookie(cookie.of(signIn.tokens()))
                        .header("Cache-Control", "no-store")
                        .build());
    }
}
