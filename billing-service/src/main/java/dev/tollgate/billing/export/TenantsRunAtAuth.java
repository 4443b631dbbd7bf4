package dev.tollgate.billing.export;

import io.quarkus.oidc.client.filter.OidcClientFilter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * auth-service's answer to which tenants a user owns or administers now, asked with billing's client-credentials
 * token (client {@code billing}, obtained and renewed by quarkus-oidc-client).
 */
@RegisterRestClient(configKey = "auth")
@OidcClientFilter
@Path("/auth/internal/users")
public interface TenantsRunAtAuth {

    /** A user and the tenants they own or administer. */
    record ByUser(UUID userId, List<UUID> tenants) {
    }

    @GET
    @Path("{userId}/tenants-run")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<ByUser> of(@PathParam("userId") UUID userId);
}
