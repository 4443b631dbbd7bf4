package dev.tollgate.generation.feedback;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.feedback.api.FeedbackRequest;
import dev.tollgate.generation.feedback.api.FeedbackView;
import dev.tollgate.generation.feedback.repository.FeedbackRepository;
import dev.tollgate.generation.record.repository.GenerationRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/** Records a user's rating of one of their own generations; a second rating replaces the first. */
@ApplicationScoped
public class GiveFeedback {

    private final GenerationRepository generations;
    private final FeedbackRepository feedback;
    private final MeterRegistry registry;

    public GiveFeedback(GenerationRepository generations, FeedbackRepository feedback, MeterRegistry registry) {
        this.generations = generations;
        this.feedback = feedback;
        this.registry = registry;
    }

    @WithTransaction
    public Uni<FeedbackView> give(Caller caller, UUID generationId, FeedbackRequest request) {
        return generations.ownedBy(caller.tenantId(), caller.userId(), generationId)
                .onItem().ifNull().failWith(() -> Problems.notFound("generation", generationId))
                .chain(generation -> feedback.findById(generationId).chain(existing -> {
                    Instant now = Instant.now();
                    Feedback row = existing != null ? existing : new Feedback();
                    if (existing == null) {
                        row.generationId = generationId;
                        row.tenantId = caller.tenantId();
                        row.userId = caller.userId();
                        row.createdAt = now;
                    }
                    row.rating = request.rating().shortValue();
                    row.comment = request.comment();
                    row.updatedAt = now;
                    registry.counter("tollgate.generation.feedback", "model", generation.model,
                            "rating", String.valueOf(row.rating)).increment();
                    return feedback.persist(row);
                }))
                .map(row -> new FeedbackView(row.generationId, row.rating, row.comment, row.updatedAt));
    }
}
