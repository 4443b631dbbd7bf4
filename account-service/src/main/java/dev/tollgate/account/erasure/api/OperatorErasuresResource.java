package dev.tollgate.account.erasure.api;

import dev.tollgate.account.erasure.RedriveErasures;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

/** The erasures still waiting for receipts, for a platform operator, who may send one again to the services missing. */
@Path("/account/operator/erasures")
@Produces(MediaType.APPLICATION_JSON)
public class OperatorErasuresResource {

    private final RedriveErasures erasures;
    private final CallerContext caller;

    public OperatorErasuresResource(RedriveErasures erasures, CallerContext caller) {
        this.erasures = erasures;
        this.caller = caller;
    }

    @GET
    @Access(operator = true)
    @Operation(summary = "The incomplete erasures, oldest first: pending or overdue, the services each waits for, "
            + "how often it was sent again")
    public Uni<List<RedriveErasures.OpenErasure>> open() {
        return erasures.open();
    }

    @POST
    @Path("{id}/redrive")
    @Access(operator = true)
    @Operation(summary = "Send an incomplete erasure again now to the services that have not receipted it (same "
            + "deletion id: each applies it once)")
    public Uni<RedriveErasures.OpenErasure> redrive(@RestPath UUID id) {
        return erasures.redriveNow(id, caller.require().userId());
    }
}
