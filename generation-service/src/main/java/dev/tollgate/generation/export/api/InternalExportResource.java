package dev.tollgate.generation.export.api;

import dev.tollgate.common.security.Access;
import dev.tollgate.generation.export.ExportUserData;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** For account-service only (role {@code service}): a user's data held here, for their export. */
@Access(services = "account")
@Path("/generations/internal/users")
public class InternalExportResource {

    private final ExportUserData export;

    public InternalExportResource(ExportUserData export) {
        this.export = export;
    }

    @GET
    @Path("{userId}/export")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The user's generations and feedback in every tenant")
    public Uni<ExportUserData.UserData> export(@PathParam("userId") UUID userId) {
        return export.of(userId);
    }
}
