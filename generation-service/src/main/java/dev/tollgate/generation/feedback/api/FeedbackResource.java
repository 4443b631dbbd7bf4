package dev.tollgate.generation.feedback.api;

import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import dev.tollgate.generation.feedback.GiveFeedback;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Rating one's own generations. */
@Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
@Path("/generations/{id}/feedback")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FeedbackResource {

    private final GiveFeedback give;
    private final CallerContext caller;

    public FeedbackResource(GiveFeedback give, CallerContext caller) {
        this.give = give;
        this.caller = caller;
    }

    @POST
    @Operation(summary = "Rate one of your generations (1 to 5, with a comment); a new rating replaces the old")
    public Uni<FeedbackView> give(@PathParam("id") UUID id, @Valid @NotNull FeedbackRequest request) {
        return give.give(caller.require(), id, request);
    }
}
