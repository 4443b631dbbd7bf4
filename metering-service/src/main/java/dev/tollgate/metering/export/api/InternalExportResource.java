package dev.tollgate.metering.export.api;

import dev.tollgate.common.security.Access;
import dev.tollgate.metering.export.ExportUserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** For account-service only (role {@code service}): a user's data held here, for their export. */
@Access(services = "account")
@Path("/usage/internal/users")
public class InternalExportResource {

    private final ExportUserData export;

    public InternalExportResource(ExportUserData export) {
        this.export = export;
    }

    @GET
    @Path("{userId}/export")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The user's usage events and monthly totals in every tenant")
    public Uni<JsonObject> export(@PathParam("userId") UUID userId) {
        return export.of(userId);
    }
}
