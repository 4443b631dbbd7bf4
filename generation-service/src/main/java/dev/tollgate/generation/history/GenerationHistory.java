package dev.tollgate.generation.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.feedback.repository.FeedbackRepository;
import dev.tollgate.generation.history.api.GenerationPage;
import dev.tollgate.generation.history.api.GenerationView;
import dev.tollgate.generation.record.Generation;
import dev.tollgate.generation.record.repository.GenerationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A user's own generations within the tenant of their token: list (newest first), read, delete one or all.
 * Someone else's generation, in this tenant or another, answers 404.
 */
@ApplicationScoped
public class GenerationHistory {

    private final GenerationRepository generations;
    private final FeedbackRepository feedback;
    private final ObjectMapper json;

    public GenerationHistory(GenerationRepository generations, FeedbackRepository feedback, ObjectMapper json) {
        this.generations = generations;
        this.feedback = feedback;
        this.json = json;
    }

    @WithSession
    public Uni<GenerationPage> list(Caller caller, int page, int size) {
        return generations.pageOf(caller.tenantId(), caller.userId(), page, size)
                .chain(items -> feedback.ratings(items.stream().map(g -> g.id).toList())
                        .chain(ratings -> generations.countOf(caller.tenantId(), caller.userId())
                                .map(total -> new GenerationPage(items.stream().map(g -> view(g, ratings)).toList(),
                                        page, size, total))));
    }

    @WithSession
    public Uni<GenerationView> get(Caller caller, UUID id) {
        return own(caller, id).chain(generation -> feedback.ratings(List.of(id)).map(ratings -> view(generation, ratings)));
    }

    @WithTransaction
    public Uni<Void> delete(Caller caller, UUID id) {
        return own(caller, id).chain(generation -> generations.delete(generation));
    }

    /** Deletes all of the caller's generations in the tenant; answers how many. */
    @WithTransaction
    public Uni<Long> deleteAll(Caller caller) {
        return generations.delete("tenantId = ?1 and userId = ?2", caller.tenantId(), caller.userId());
    }

    /** The caller's generation, or 404. */
    private Uni<Generation> own(Caller caller, UUID id) {
        return generations.ownedBy(caller.tenantId(), caller.userId(), id)
                .onItem().ifNull().failWith(() -> Problems.notFound("generation", id));
    }

    /** {@code g} as its user sees it, with their rating if they gave one. */
    public GenerationView view(Generation g, Map<UUID, Integer> ratings) {
        return new GenerationView(g.id, g.createdAt, g.outcome, g.template, g.model, g.provider, g.providerModel,
                json(g.prompt), g.input == null ? null : json(g.input), g.output,
                g.result == null ? null : json(g.result), g.error, g.finishReason, g.inputTokens, g.outputTokens,
                g.costMicros, ratings.get(g.id));
    }

    private JsonNode json(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }
}
