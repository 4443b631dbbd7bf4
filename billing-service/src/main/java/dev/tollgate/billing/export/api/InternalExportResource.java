package dev.tollgate.billing.export.api;

import dev.tollgate.billing.export.ExportTenantBilling;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** For account-service only: the billing of the tenants a user runs, for their export. */
@Access(services = "account")
@Path("/billing/internal/users")
public class InternalExportResource {

    private final ExportTenantBilling export;

    public InternalExportResource(ExportTenantBilling export) {
        this.export = export;
    }

    @GET
    @Path("{userId}/export")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The subscriptions and invoices of the tenants the user owns or administers, as auth-service "
            + "says now")
    public Uni<Map<String, Object>> export(@PathParam("userId") UUID userId) {
        return export.ofUser(userId).map(billing -> Map.of("userId", userId, "note",
                "billing keeps no data of a single user; these are the tenants the user owns or administers",
                "tenants", billing));
    }
}
