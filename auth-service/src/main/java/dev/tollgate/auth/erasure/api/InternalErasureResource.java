package dev.tollgate.auth.erasure.api;

import dev.tollgate.auth.erasure.ErasureScope;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * For other services only (a client-credentials token with the role {@code service}): what erasing a user takes
 * with it, so that account-service can say in {@code account.deleted} whether the tenant goes too.
 */
@Path("/auth/internal/users")
@RolesAllowed("service")
public class InternalErasureResource {

    private final ErasureScope scope;

    public InternalErasureResource(ErasureScope scope) {
        this.scope = scope;
    }

    @GET
    @Path("{userId}/erasure-scope")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The user's tenants and those they alone own (erased with them)")
    public Uni<ErasureScope.Scope> erasureScope(@PathParam("userId") UUID userId) {
        return scope.of(userId);
    }
}
