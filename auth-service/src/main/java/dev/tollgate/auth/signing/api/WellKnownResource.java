package dev.tollgate.auth.signing.api;

import dev.tollgate.auth.signing.KeyVault;
import dev.tollgate.auth.signing.SigningKeys;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.TokenConfig;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestResponse;

/** The documents a verifier reads to trust Tollgate's tokens without calling auth-service for each one. */
@Access(anonymous = true)
@Path("/.well-known")
@Produces(MediaType.APPLICATION_JSON)
public class WellKnownResource {

    private final SigningKeys keys;
    private final TokenConfig tokens;

    public WellKnownResource(SigningKeys keys, TokenConfig tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @GET
    @Path("jwks.json")
    public Uni<RestResponse<String>> jwks() {
        return keys.jwks().map(json -> RestResponse.ResponseBuilder.ok(json, MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "public, max-age=300")
                .build());
    }

    @GET
    @Path("openid-configuration")
    public Map<String, Object> openidConfiguration() {
        String issuer = tokens.issuer();
        return Map.of(
                "issuer", issuer,
                "jwks_uri", issuer + "/.well-known/jwks.json",
                "token_endpoint", issuer + "/auth/token",
                "grant_types_supported", List.of("refresh_token"),
                "response_types_supported", List.of("token"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of(KeyVault.ALGORITHM),
                "token_endpoint_auth_methods_supported", List.of("none"),
                "claims_supported", List.of("sub", "tid", "roles", "scope", "aud", "iss", "exp", "iat", "jti"));
    }
}
