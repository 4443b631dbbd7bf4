package dev.tollgate.auth.apikey.api;

import dev.tollgate.auth.apikey.ApiKeyView;
import dev.tollgate.auth.apikey.ApiKeys;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.KeyLimits;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** The API keys of the caller's current tenant. */
@Access(session = Role.MEMBER, apiKey = Scope.KEYS_MANAGE)
@Path("/auth/api-keys")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    /**
     * Create a key: a name, the scopes it may use, and optionally when it stops working and controls of its own (a
     * monthly budget, requests and tokens per minute, the models it may call).
     */
    public record NewApiKey(@NotBlank @Size(max = 200) String name,
            @NotEmpty List<@NotBlank String> scopes,
            @Future Instant expiresAt,
            KeyLimits limits) {
    }

    /** Change a key: its controls as a whole (absent: kept; {@code {}}: none of its own), its expiry (absent: kept). */
    public record KeyChange(@Future Instant expiresAt, KeyLimits limits) {
    }

    private final ApiKeys keys;
    private final CallerContext callers;

    public ApiKeyResource(ApiKeys keys, CallerContext callers) {
        this.keys = keys;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<ApiKeys.Issued>> create(@Valid @NotNull NewApiKey body) {
        return keys.create(callers.require(), body.name(), body.scopes(), body.expiresAt(), body.limits())
                .map(issued -> RestResponse.ResponseBuilder.<ApiKeys.Issued> created(
                        URI.create("/auth/api-keys/" + issued.key().id()))
                        .entity(issued).header("Cache-Control", "no-store").build());
    }

    @GET
    public Uni<List<ApiKeyView>> list() {
        return keys.list(callers.require());
    }

    @POST
    @Path("{id}/rotate")
    public Uni<RestResponse<ApiKeys.Issued>> rotate(@RestPath UUID id) {
        return keys.rotate(callers.require(), id)
                .map(issued -> RestResponse.ResponseBuilder.<ApiKeys.Issued> created(
                        URI.create("/auth/api-keys/" + issued.key().id()))
                        .entity(issued).header("Cache-Control", "no-store").build());
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ApiKeyView> change(@RestPath UUID id, @Valid @NotNull KeyChange body) {
        return keys.change(callers.require(), id, body.limits(), body.expiresAt());
    }

    @DELETE
    @Path("{id}")
    public Uni<RestResponse<Void>> revoke(@RestPath UUID id) {
        return keys.revoke(callers.require(), id).map(done -> RestResponse.noContent());
    }
}
