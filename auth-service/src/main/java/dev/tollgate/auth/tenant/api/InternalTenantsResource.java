package dev.tollgate.auth.tenant.api;

import dev.tollgate.auth.user.UserContacts;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** For other services only (role {@code service}): whom to write to about a tenant. */
@Access(services = "account")
@Path("/auth/internal/tenants")
public class InternalTenantsResource {

    private final UserContacts contacts;

    public InternalTenantsResource(UserContacts contacts) {
        this.contacts = contacts;
    }

    @GET
    @Path("{tenantId}/contacts")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The tenant's owners and admins with their addresses, for notifications")
    public Uni<List<UserContacts.Contact>> contacts(@PathParam("tenantId") UUID tenantId) {
        return contacts.runnersOf(tenantId);
    }
}
