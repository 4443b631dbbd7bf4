package dev.tollgate.generation.history.api;

import dev.tollgate.common.security.CallerContext;
import dev.tollgate.generation.history.GenerationHistory;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/** The caller's own generations in the tenant of their token. */
@Path("/generations")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class GenerationHistoryResource {

    private final GenerationHistory history;
    private final CallerContext caller;

    public GenerationHistoryResource(GenerationHistory history, CallerContext caller) {
        this.history = history;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Your generations, newest first, a page at a time")
    public Uni<GenerationPage> list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                    @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
        return history.list(caller.require(), page, size);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One of your generations: prompt, answer, model, tokens, your rating")
    public Uni<GenerationView> get(@PathParam("id") UUID id) {
        return history.get(caller.require(), id);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete one of your generations (its usage stays counted)")
    public Uni<RestResponse<Void>> delete(@PathParam("id") UUID id) {
        return history.delete(caller.require(), id).map(done -> RestResponse.noContent());
    }

    @DELETE
    @Operation(summary = "Delete all your generations in this tenant; answers how many")
    public Uni<Map<String, Long>> deleteAll() {
        return history.deleteAll(caller.require()).map(deleted -> Map.of("deleted", deleted));
    }
}
