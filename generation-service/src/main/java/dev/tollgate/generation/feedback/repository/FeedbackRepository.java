package dev.tollgate.generation.feedback.repository;

import dev.tollgate.generation.feedback.Feedback;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Ratings of generations; callers only ever pass ids of generations they own. */
@ApplicationScoped
public class FeedbackRepository implements PanacheRepositoryBase<Feedback, UUID> {

    /** The rating of each of the generations that has one. */
    public Uni<Map<UUID, Integer>> ratings(Collection<UUID> generationIds) {
        if (generationIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return list("generationId in ?1", generationIds).map(rows -> {
            Map<UUID, Integer> ratings = new HashMap<>();
            rows.forEach(row -> ratings.put(row.generationId, (int) row.rating));
            return ratings;
        });
    }
}
