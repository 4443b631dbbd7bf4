package dev.tollgate.billing.stripe.api;

import dev.tollgate.billing.stripe.ParkedStripeTasks;
import dev.tollgate.billing.stripe.StripeTask;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;

/** A platform operator's hold on the Stripe tasks billing-service parked ({@link ParkedStripeTasks}). */
@Path("/billing/operator/stripe-tasks")
@Produces(MediaType.APPLICATION_JSON)
public class StripeTasksResource {

    /** How many parked tasks a listing shows at most (the oldest). */
    static final int LISTED = 500;

    public record StripeTaskView(UUID id, String kind, UUID tenantId, String stripeCustomerId,
            String stripeSubscriptionId, Long meterValue, Instant occurredAt, int attempts, String lastError,
            Instant uncertainSince, Instant parkedAt, Instant doneAt, String resolution) {

        static StripeTaskView of(StripeTask task) {
            return new StripeTaskView(task.id, task.kind, task.tenantId, task.stripeCustomerId,
                    task.stripeSubscriptionId, task.meterValue, task.occurredAt, task.attempts, task.lastError,
                    task.uncertainSince, task.parkedAt, task.doneAt, task.resolution);
        }
    }

    public record DiscardRequest(String reason) {
    }

    private final ParkedStripeTasks parked;
    private final CallerContext caller;

    public StripeTasksResource(ParkedStripeTasks parked, CallerContext caller) {
        this.parked = parked;
        this.caller = caller;
    }

    @GET
    @Access(operator = true)
    @Operation(summary = "The parked Stripe tasks, oldest first: calls Stripe refused for good, or meter events whose "
            + "outcome cannot be known")
    public Uni<List<StripeTaskView>> list() {
        return parked.list(LISTED).map(tasks -> tasks.stream().map(StripeTaskView::of).toList());
    }

    @POST
    @Path("{id}/retry")
    @Access(operator = true)
    @Operation(summary = "Try a parked Stripe task again on the next pass (after fixing what Stripe refused)")
    public Uni<StripeTaskView> retry(@RestPath UUID id) {
        return parked.retry(id, caller.require().userId()).map(task -> found(task, id));
    }

    @POST
    @Path("{id}/discard")
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(operator = true)
    @Operation(summary = "Close a parked Stripe task without calling Stripe, with the reason (kept with it)")
    public Uni<StripeTaskView> discard(@RestPath UUID id, DiscardRequest request) {
        String reason = Problems.operatorReason(request == null ? null : request.reason(),
                "the task is closed without calling Stripe");
        return parked.discard(id, reason,
                caller.require().userId()).map(task -> found(task, id));
    }

    private static StripeTaskView found(StripeTask task, UUID id) {
        if (task == null) {
            throw Problems.notFound("parked Stripe task", id);
        }
        return StripeTaskView.of(task);
    }
}
