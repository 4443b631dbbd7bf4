package dev.tollgate.auth.user.api;

import dev.tollgate.auth.erasure.ErasureScope;
import dev.tollgate.auth.export.ExportUserData;
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
 * For other services only (a client-credentials token with the role {@code service}): what account-service needs
 * about a user for their erasure and their export.
 */
@Access(services = "account")
@Path("/auth/internal/users")
@Produces(MediaType.APPLICATION_JSON)
public class InternalUsersResource {

    private final ErasureScope scope;
    private final ExportUserData export;
    private final UserContacts contacts;

    public InternalUsersResource(ErasureScope scope, ExportUserData export, UserContacts contacts) {
        this.scope = scope;
        this.export = export;
        this.contacts = contacts;
    }

    @GET
    @Path("{userId}/contact")
    @Operation(summary = "The user's address, for notifications")
    public Uni<UserContacts.Contact> contact(@PathParam("userId") UUID userId) {
        return contacts.of(userId).onItem().ifNull().failWith(() -> Problems.notFound("user", userId));
    }

    @GET
    @Path("{userId}/erasure-scope")
    @Operation(summary = "The user's tenants and those they alone own (erased with them)")
    public Uni<ErasureScope.Scope> erasureScope(@PathParam("userId") UUID userId) {
        return scope.of(userId);
    }

    @GET
    @Path("{userId}/export")
    @Operation(summary = "The user's account, memberships, sessions, API keys and sign-in providers (no secrets)")
    public Uni<ExportUserData.UserData> export(@PathParam("userId") UUID userId) {
        return export.of(userId).onItem().ifNull().failWith(() -> Problems.notFound("user", userId));
    }
}
