package dev.tollgate.generation.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.record.repository.GenerationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Writes a generation and its {@code usage.recorded} in one transaction: both or neither. A user erased in the
 * meantime gets no generation row, only the usage.
 */
@ApplicationScoped
public class RecordGeneration {

    public static final String SOURCE = "generation";
    /** The answer is whole. */
    public static final String COMPLETED = "completed";
    /** A stream broke off; the part sent is stored and billed. */
    public static final String INTERRUPTED = "interrupted";
    private static final Logger LOG = Logger.getLogger(RecordGeneration.class);

    private final GenerationRepository generations;
    private final Outbox outbox;
    private final ObjectMapper json;

    public RecordGeneration(GenerationRepository generations, Outbox outbox, ObjectMapper json) {
        this.generations = generations;
        this.outbox = outbox;
        this.json = json;
    }

    @WithTransaction
    public Uni<Generation> record(UUID id, Caller caller, String model, ChatCall call, Completion completion,
            String outcome, long costMicros) {
        Generation generation = new Generation();
        generation.id = id;
        generation.tenantId = caller.tenantId();
        generation.userId = caller.userId();
        generation.model = model;
        generation.provider = completion.provider();
        generation.providerModel = completion.model();
        generation.prompt = prompt(call);
        generation.output = completion.content();
        generation.finishReason = completion.finishReason();
        generation.inputTokens = completion.inputTokens();
        generation.outputTokens = completion.outputTokens();
        generation.outcome = outcome;
        generation.costMicros = costMicros;
        generation.createdAt = Instant.now();
        generation.updatedAt = generation.createdAt;
        UsageRecorded usage = new UsageRecorded(UUID.randomUUID(), generation.createdAt, caller.tenantId(),
                UsageRecorded.SCHEMA_VERSION, caller.userId(), SOURCE, model, generation.id.toString(),
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.INPUT_TOKENS, completion.inputTokens(),
                        UsageRecorded.OUTPUT_TOKENS, completion.outputTokens(), UsageRecorded.COST_MICROS, costMicros));
        // a generation answered while its user was being erased is not stored; its usage still counts (metering
        // records it without the user)
        return generations.erased(caller.userId())
                .chain(erased -> {
                    if (erased) {
                        LOG.infof("audit: user %s was erased while generation %s was answered; not stored",
                                caller.userId(), generation.id);
                        return outbox.append(usage);
                    }
                    return generations.persist(generation).call(() -> outbox.append(usage)).replaceWithVoid();
                })
                .replaceWith(generation);
    }

    private String prompt(ChatCall call) {
        try {
            return json.writeValueAsString(call.messages());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("the prompt cannot be written as JSON", e);
        }
    }
}
