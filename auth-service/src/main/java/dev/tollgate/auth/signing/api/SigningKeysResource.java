package dev.tollgate.auth.signing.api;

import dev.tollgate.auth.signing.SigningKeys;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

/** The platform operator's hold on token signing: revoke a key at once (its id is the {@code kid} in the JWKS). */
@Access(operator = true)
@Path("/auth/signing-keys")
@Produces(MediaType.APPLICATION_JSON)
public class SigningKeysResource {

    private final SigningKeys keys;

    public SigningKeysResource(SigningKeys keys) {
        this.keys = keys;
    }

    @POST
    @Path("{kid}/revoke")
    @Operation(summary = "Revoke a signing key at once: unpublished, replaced if it signs, its tokens refused by "
            + "every service within seconds")
    public Uni<Map<String, String>> revoke(@RestPath String kid) {
        return keys.revoke(kid).map(next -> {
            if (next == null) {
                throw Problems.notFound("signing key", kid);
            }
            return Map.of("revoked", kid, "signingKey", next);
        });
    }
}
