package dev.tollgate.generation.export;

import dev.tollgate.generation.feedback.Feedback;
import dev.tollgate.generation.record.Generation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What generation-service holds about a user, for their export (GDPR Art. 15/20): every generation (prompt,
 * answer, template input and result, model, tokens, cost) in every tenant, and the feedback they gave.
 */
@ApplicationScoped
public class ExportUserData {

    public record UserData(List<GenerationData> generations, List<FeedbackData> feedback) {
    }

    public record GenerationData(UUID id, UUID tenantId, Instant createdAt, String model, String provider,
            String template, String prompt, String input, String output, String result,
            String outcome, long inputTokens, long outputTokens, long costMicros) {
    }

    public record FeedbackData(UUID generationId, UUID tenantId, int rating, String comment, Instant createdAt) {
    }

    public Uni<UserData> of(UUID userId) {
        return Panache.withSession(() -> Generation.<Generation> list("userId = ?1 order by createdAt, id", userId)
                .chain(generations -> Feedback.<Feedback> list("userId = ?1 order by createdAt", userId)
                        .map(feedback -> new UserData(
                                generations.stream().map(g -> new GenerationData(g.id, g.tenantId, g.createdAt, g.model,
                                        g.provider, g.template, g.prompt, g.input, g.output, g.result, g.outcome,
                                        g.inputTokens, g.outputTokens, g.costMicros)).toList(),
                                feedback.stream().map(f -> new FeedbackData(f.generationId, f.tenantId, f.rating,
                                        f.comment, f.createdAt)).toList()))));
    }
}
