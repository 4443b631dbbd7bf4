package dev.tollgate.auth.apikey.api;

import dev.tollgate.auth.apikey.ApiKeys;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * For other services only (a client-credentials token with the role {@code service}): checks an API key that a
 * client presented to them (or one a token they were shown was exchanged from), with its own controls. They cache
 * the answer until {@code validUntil}, an {@code apikey.revoked} or an {@code apikey.changed} event.
 */
@Access(services = "generation", serviceScope = "api-keys:verify")
@Path("/auth/internal/api-keys")
public class InternalApiKeyResource {

    public record Presented(@NotBlank @Size(max = 200) String key) {
    }

    private final ApiKeys keys;

    public InternalApiKeyResource(ApiKeys keys) {
        this.keys = keys;
    }

    /**
     * An active key of {@code tenant} by id, as {@code verify} answers it: for a service that holds a token exchanged
     * from the key (its {@code akid} and {@code tid} claims) and needs the key's own controls.
     */
    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ApiKeys.VerifiedKey> active(@RestPath UUID id, @RestQuery @NotNull UUID tenant) {
        return keys.active(id, tenant).onItem().ifNull().failWith(() -> Problems.builder(Response.Status.NOT_FOUND,
                "api-key-invalid", "Invalid API Key").withDetail("the key is unknown, revoked or expired").build());
    }

    @POST
    @Path("verify")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ApiKeys.VerifiedKey> verify(@Valid @NotNull Presented body) {
        return keys.verify(body.key()).onItem().ifNull().failWith(() -> Problems.builder(Response.Status.NOT_FOUND,
                "api-key-invalid", "Invalid API Key").withDetail("the key is unknown, revoked or expired").build());
    }
}
