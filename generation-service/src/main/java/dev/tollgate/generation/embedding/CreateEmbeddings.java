package dev.tollgate.generation.embedding;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.chat.AdmitCall;
import dev.tollgate.generation.chat.AskRoute;
import dev.tollgate.generation.chat.CompleteChat;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderGuards;
import dev.tollgate.generation.provider.Tokens;
import dev.tollgate.generation.record.RecordGeneration;
import dev.tollgate.generation.usage.Usage;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;

/**
 * Embeddings, metered as a chat completion is but for what they use: the plan must include the embedding model,
 * the gate holds the input's estimated tokens and their cost at the route's dearest provider (no generation, no
 * output), the route's providers are asked in order under their guards, and the provider's own count is settled and
 * recorded as usage (input tokens and cost; no row in the generations' history). The work goes on when the caller
 * goes away: the provider is paid for it.
 */
@ApplicationScoped
public class CreateEmbeddings {

    private final AdmitCall admission;
    private final AskRoute route;
    private final ProviderGuards guards;
    private final RecordGeneration record;
    private final MeterRegistry registry;

    public CreateEmbeddings(AdmitCall admission, AskRoute route, ProviderGuards guards, RecordGeneration record,
            MeterRegistry registry) {
        this.admission = admission;
        this.route = route;
        this.guards = guards;
        this.record = record;
        this.registry = registry;
    }

    /** The embeddings of {@code document} (an OpenAI embeddings request, checked) and the gate's headers. */
    public Uni<Embeddings> create(Caller caller, String model, ObjectNode document) {
        long input = Tokens.estimateInput(document.get("input"));
        return CompleteChat.detached(admission.admitEmbeddings(caller, model, input).chain(admitted -> route
                .ask(admitted, provider -> guards.embed(provider, document))
                // no answer, nothing recorded: the held units go back
                .onFailure().call(e -> admission.settle(admitted.held(), Usage.NONE)
                        .invoke(() -> count(model, "failed", 0)))
                .chain(answer -> {
                    long cost = admission.cost(answer);
                    UUID id = UUID.randomUUID();
                    return admission.settle(admitted.held(), Usage.embeddings(answer.inputTokens(), cost))
                            .call(() -> record.recordEmbeddingsSurely(id, caller, admitted.model(), document, answer, cost))
                            .invoke(() -> count(model, "answered", answer.inputTokens()))
                            .map(ignored -> new Embeddings(answer, admitted.headers()));
                })));
    }

    private void count(String model, String outcome, long inputTokens) {
        registry.counter("tollgate.embeddings.requests", "model", model, "outcome", outcome).increment();
        if (inputTokens > 0) {
            registry.counter("tollgate.embeddings.input.tokens", "model", model).increment(inputTokens);
        }
    }

    /** The provider's answer and the gate's rate-limit headers. */
    public record Embeddings(Completion answer, Map<String, String> headers) {
    }
}
