package dev.tollgate.auth.erasure.api;

import dev.tollgate.auth.erasure.ErasureScope;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/** For account-service only: fixing, and releasing, what erasing a user takes with it. */
@Access(services = "account")
@Path("/auth/internal/users/{userId}/erasure-scope")
@Produces(MediaType.APPLICATION_JSON)
public class ErasureScopeResource {

    private final ErasureScope scope;

    public ErasureScopeResource(ErasureScope scope) {
        this.scope = scope;
    }

    @POST
    @Operation(summary = "Fixes what erasure `deletion` of the user takes with it: the tenants they alone own now "
            + "(deleted with them) and those tenants' other members; the same tenants until the erasure is applied, "
            + "and no membership of the user's tenants changes meanwhile")
    public Uni<ErasureScope.Scope> hold(@PathParam("userId") UUID userId, @RestQuery UUID deletion) {
        return scope.hold(userId, required(deletion));
    }

    @DELETE
    @Operation(summary = "Releases the scope fixed for erasure `deletion`, which account-service could not record")
    public Uni<RestResponse<Void>> release(@PathParam("userId") UUID userId, @RestQuery UUID deletion) {
        return scope.release(userId, required(deletion)).map(released -> {
            if (!released) {
                throw Problems.notFound("erasure hold of deletion", deletion);
            }
            return RestResponse.<Void> noContent();
        });
    }

    private static UUID required(UUID deletion) {
        if (deletion == null) {
            throw Problems.badRequest("deletion-required", "Deletion Required",
                    "name the erasure request: ?deletion=<its id>");
        }
        return deletion;
    }
}
