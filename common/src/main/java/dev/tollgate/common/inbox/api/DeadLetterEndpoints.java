package dev.tollgate.common.inbox.api;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.inbox.DeadLetter;
import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.common.security.Access;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * A platform operator's hold on a service's dead letters ({@link DeadLetters}): list the open ones, re-drive them
 * (all, or one) after a fix, discard one with a reason. Each service serves these under its own prefix
 * ({@code /<prefix>/operator/dead-letters}) by extending this class; {@code ./tollgate redrive} calls them.
 */
@Produces(MediaType.APPLICATION_JSON)
public abstract class DeadLetterEndpoints {

    /** How many open dead letters a listing shows at most (the oldest). */
    static final int LISTED = 500;

    public record DeadLetterView(long id, String consumer, String topic, UUID eventId, int attempts, Instant deadAt,
            Instant nextAttemptAt, String lastError, Instant resolvedAt, String resolution) {

        static DeadLetterView of(DeadLetter letter) {
            return new DeadLetterView(letter.id, letter.consumer, letter.topic, letter.eventId, letter.attempts,
                    letter.deadAt, letter.nextAttemptAt, letter.lastError, letter.resolvedAt, letter.resolution);
        }
    }

    public record RedriveReport(long redriven, long alreadyApplied, long failed, List<DeadLetters.Outcome> outcomes) {

        static RedriveReport of(List<DeadLetters.Outcome> outcomes) {
            return new RedriveReport(count(outcomes, DeadLetters.Result.REDRIVEN),
                    count(outcomes, DeadLetters.Result.ALREADY_APPLIED), count(outcomes, DeadLetters.Result.FAILED),
                    outcomes);
        }

        private static long count(List<DeadLetters.Outcome> outcomes, DeadLetters.Result result) {
            return outcomes.stream().filter(outcome -> outcome.is(result)).count();
        }
    }

    public record DiscardRequest(String reason) {
    }

    private final DeadLetters deadLetters;

    protected DeadLetterEndpoints(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    @Access(operator = true)
    @Operation(summary = "The open dead letters of this service, oldest first: events a consumer could not apply")
    public Uni<List<DeadLetterView>> list() {
        return deadLetters.open(LISTED).map(letters -> letters.stream().map(DeadLetterView::of).toList());
    }

    @POST
    @Path("redrive")
    @Access(operator = true)
    @Operation(summary = "Re-drive the open dead letters now, oldest first, 50 per call (then ask again with "
            + "after = the last id answered), through the consumer that failed each; each event still applies once")
    public Uni<RedriveReport> redriveAll(@RestQuery Long after) {
        return deadLetters.redriveAfter(after == null ? 0 : after).map(RedriveReport::of);
    }

    @POST
    @Path("{id}/redrive")
    @Access(operator = true)
    @Operation(summary = "Re-drive one open dead letter now")
    public Uni<RedriveReport> redrive(@RestPath long id) {
        return deadLetters.redriveNow(id).chain(outcomes -> {
            if (!outcomes.isEmpty()) {
                return Uni.createFrom().item(RedriveReport.of(outcomes));
            }
            // none taken: there is no open one, or a re-drive holds it right now
            return deadLetters.find(id).map(letter -> {
                if (letter == null || letter.resolvedAt != null) {
                    throw Problems.notFound("open dead letter", id);
                }
                throw busy(new DeadLetters.BusyException(id));
            });
        });
    }

    @POST
    @Path("{id}/discard")
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(operator = true)
    @Operation(summary = "Close one open dead letter without applying it, with the reason (kept with it)")
    public Uni<DeadLetterView> discard(@RestPath long id, DiscardRequest request) {
        String reason = Problems.operatorReason(request == null ? null : request.reason(),
                "the dead letter is discarded");
        return deadLetters.discard(id, reason).map(letter -> {
            if (letter == null) {
                throw Problems.notFound("open dead letter", id);
            }
            return DeadLetterView.of(letter);
        }).onFailure(DeadLetters.BusyException.class).transform(DeadLetterEndpoints::busy);
    }

    private static RuntimeException busy(Throwable busy) {
        return Problems.builder(Response.Status.CONFLICT, "dead-letter-busy", "Dead letter being re-driven")
                .withDetail(busy.getMessage()).build();
    }
}
