package dev.tollgate.account.erasure.api;

import dev.tollgate.account.erasure.ErasureStatus;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** An erasure's progress, service by service; only the user who asked sees it. */
@Access(session = Role.MEMBER)
@Path("/account/deletions")
public class DeletionsResource {

    private final ErasureStatus status;
    private final CallerContext caller;

    public DeletionsResource(ErasureStatus status, CallerContext caller) {
        this.status = status;
        this.caller = caller;
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Which services have erased the account's data, and what")
    public Uni<ErasureStatus.Matrix> get(@PathParam("id") UUID id) {
        return status.of(caller.require(), id);
    }
}
