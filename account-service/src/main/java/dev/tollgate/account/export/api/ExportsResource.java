package dev.tollgate.account.export.api;

import dev.tollgate.account.export.ExportStatus;
import dev.tollgate.account.export.RequestExport;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The caller's data exports (GDPR Art. 15/20); each visible and downloadable by the user who asked only. */
@Access(session = Role.MEMBER)
@Path("/account/exports")
public class ExportsResource {

    private final RequestExport request;
    private final ExportStatus status;
    private final CallerContext caller;

    public ExportsResource(RequestExport request, ExportStatus status, CallerContext caller) {
        this.request = request;
        this.status = status;
        this.caller = caller;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask for an export of everything Tollgate holds about the caller: 202 and the export to follow")
    public Uni<Response> start() {
        return request.request(caller.require()).map(requested -> Response.accepted(requested)
                .location(URI.create("/account/exports/" + requested.exportId())).build());
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "An export's progress, service by service, and its download link when ready")
    public Uni<ExportStatus.ExportView> get(@PathParam("id") UUID id) {
        return status.of(caller.require(), id);
    }

    @GET
    @Path("{id}/download")
    @Produces({ "application/zip", MediaType.APPLICATION_JSON })
    @Operation(summary = "The export as a ZIP: one JSON file per service and a manifest")
    public Uni<Response> download(@PathParam("id") UUID id) {
        return status.download(caller.require(), id).map(archive -> Response.ok(archive.bytes(), "application/zip")
                .header("Content-Disposition", "attachment; filename=\"tollgate-export-" + archive.id() + ".zip\"")
                .header("Digest", "sha-256=" + archive.sha256())
                .header("Cache-Control", "no-store")
                .build());
    }
}
