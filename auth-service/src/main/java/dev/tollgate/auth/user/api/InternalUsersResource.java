package dev.tollgate.auth.user.api;

import dev.tollgate.auth.export.ExportUserData;
import dev.tollgate.auth.tenant.TenantsRun;
import dev.tollgate.auth.user.UserContacts;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * For other services only (client-credentials tokens): what account-service needs about a user for their export
 * and notifications, and the tenants a user runs, which billing-service asks before it exports their billing.
 */
@Access(services = "account")
@Path("/auth/internal/users")
@Produces(MediaType.APPLICATION_JSON)
public class InternalUsersResource {

    private final ExportUserData export;
    private final UserContacts contacts;
    private final TenantsRun tenantsRun;

    public InternalUsersResource(ExportUserData export, UserContacts contacts, TenantsRun tenantsRun) {
        this.export = export;
        this.contacts = contacts;
        this.tenantsRun = tenantsRun;
    }

    @GET
    @Path("{userId}/contact")
    @Operation(summary = "The user's address, for notifications")
    public Uni<UserContacts.Contact> contact(@PathParam("userId") UUID userId) {
        return contacts.of(userId).onItem().ifNull().failWith(() -> Problems.notFound("user", userId));
    }

    @GET
    @Path("{userId}/export")
    @Operation(summary = "The user's account, memberships, sessions, API keys and sign-in providers (no secrets)")
    public Uni<ExportUserData.UserData> export(@PathParam("userId") UUID userId) {
        return export.of(userId).onItem().ifNull().failWith(() -> Problems.notFound("user", userId));
    }

    @GET
    @Path("{userId}/tenants-run")
    @Access(services = "billing")
    @Operation(summary = "The tenants the user owns or administers now (none for an unknown user)")
    public Uni<TenantsRun.ByUser> tenantsRun(@PathParam("userId") UUID userId) {
        return tenantsRun.by(userId);
    }
}
