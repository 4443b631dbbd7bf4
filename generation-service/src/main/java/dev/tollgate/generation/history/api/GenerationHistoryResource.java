package dev.tollgate.generation.history.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import dev.tollgate.generation.history.GenerationHistory;
import dev.tollgate.generation.record.Generation;
import dev.tollgate.generation.record.RecordGeneration;
import dev.tollgate.generation.template.FollowTemplateRun;
import dev.tollgate.generation.template.RunTemplate;
import dev.tollgate.generation.template.TemplateRuns;
import dev.tollgate.generation.template.api.TemplateRunRequest;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The caller's own generations in the tenant of their token: prompt-template runs started here
 * ({@code POST /generations {template, input}}, synchronously, or with {@code Prefer: respond-async} or
 * {@code "async": true} 202 and a run to follow at {@code GET /generations/{id}/events}), and their history.
 */
@Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
@Path("/generations")
public class GenerationHistoryResource {

    private final GenerationHistory history;
    private final CallerContext caller;
    private final RunTemplate run;
    private final FollowTemplateRun follow;
    private final ObjectMapper json;

    public GenerationHistoryResource(GenerationHistory history, CallerContext caller, RunTemplate run,
            FollowTemplateRun follow, ObjectMapper json) {
        this.history = history;
        this.caller = caller;
        this.run = run;
        this.follow = follow;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Run a prompt template: 200 with its checked JSON result, or 202 and a run to follow "
            + "(Prefer: respond-async); 422 when the answer missed the schema twice; metered like a chat completion")
    public Uni<RestResponse<GenerationView>> start(TemplateRunRequest request,
            @HeaderParam("Prefer") String prefer) {
        if (request == null || request.template() == null || request.template().isBlank()) {
            throw Problems.badRequest("invalid-request", "Invalid Request",
                    "'template' is required; GET /templates lists them");
        }
        boolean async = Boolean.TRUE.equals(request.async()) || (prefer != null && prefer.contains("respond-async"));
        Caller who = caller.require();
        return run.start(who, request.template(), request.input(), async).map(started -> {
            Generation g = started.run();
            GenerationView view = history.view(g, Map.of());
            if (!async) {
                failIfUnanswered(g);
            }
            RestResponse.ResponseBuilder<GenerationView> response = async
                    ? RestResponse.ResponseBuilder.<GenerationView> create(RestResponse.Status.ACCEPTED, view)
                            .location(URI.create("/generations/" + g.id))
                            .header("Preference-Applied", "respond-async")
                    : RestResponse.ResponseBuilder.ok(view);
            started.headers().forEach(response::header);
            return response.build();
        });
    }

    @GET
    @Path("/{id}/events")
    @Operation(summary = "A run's progress as server-sent events: 'progress' on each change, 'end' with the result")
    @APIResponse(responseCode = "200", description = "The run's status changes", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    public RestMulti<byte[]> events(@PathParam("id") UUID id) {
        return RestMulti.fromUniResponse(follow.follow(caller.require(), id),
                changes -> changes.map(this::event),
                changes -> Map.of("Content-Type", List.of(MediaType.SERVER_SENT_EVENTS),
                        "Cache-Control", List.of("no-cache"), "X-Accel-Buffering", List.of("no")),
                changes -> 200);
    }

    private byte[] event(GenerationView view) {
        try {
            String name = FollowTemplateRun.ENDED.contains(view.status()) ? "end" : "progress";
            return ("event: " + name + "\ndata: " + json.writeValueAsString(view) + "\n\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Your generations, newest first, a page at a time")
    public Uni<GenerationPage> list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(100) int size) {
        return history.list(caller.require(), page, size);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One of your generations: prompt, answer, model, tokens, your rating")
    public Uni<GenerationView> get(@PathParam("id") UUID id) {
        return history.get(caller.require(), id);
    }

    @Access(session = Role.MEMBER)
    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete one of your generations (its usage stays counted)")
    public Uni<RestResponse<Void>> delete(@PathParam("id") UUID id) {
        return history.delete(caller.require(), id).map(done -> RestResponse.noContent());
    }

    @Access(session = Role.MEMBER)
    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Delete all your generations in this tenant; answers how many")
    public Uni<Map<String, Long>> deleteAll() {
        return history.deleteAll(caller.require()).map(deleted -> Map.of("deleted", deleted));
    }

    /** A synchronous run that ended without a result is answered as a problem naming the run. */
    private static void failIfUnanswered(Generation g) {
        if (TemplateRuns.INVALID_OUTPUT.equals(g.outcome)) {
            throw Problems.builder(Response.Status.BAD_REQUEST, "template-output-invalid", "Template Output Invalid")
                    .withStatus(422)
                    .withDetail(g.error)
                    .with("generationId", g.id.toString())
                    .build();
        }
        if (TemplateRuns.FAILED.equals(g.outcome) && g.failureStatus >= 400 && g.failureStatus < 500) {
            throw Problems.builder(Response.Status.BAD_REQUEST, "template-run-refused", "Template Run Refused")
                    .withStatus(g.failureStatus)
                    .withDetail(g.error)
                    .with("generationId", g.id.toString())
                    .build();
        }
        if (TemplateRuns.FAILED.equals(g.outcome)) {
            throw Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "template-run-failed", "Template Run Failed")
                    .withDetail(g.error)
                    .with("generationId", g.id.toString())
                    .withHeader("Retry-After", 5)
                    .build();
        }
        if (!RecordGeneration.COMPLETED.equals(g.outcome)) {
            throw new IllegalStateException("run " + g.id + " ended " + g.outcome);
        }
    }
}
