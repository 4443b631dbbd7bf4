package dev.tollgate.generation.template;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.record.Generation;
import dev.tollgate.generation.record.RecordGeneration;
import dev.tollgate.generation.record.repository.GenerationRepository;
import dev.tollgate.generation.usage.Usage;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Template runs as rows of {@code generations}: started under a lease, marked while they retry, finished with
 * their answer and their usage's {@code usage.recorded} in one transaction, and taken over when a replica left
 * them unfinished.
 */
@ApplicationScoped
public class TemplateRuns {

    private static final Logger LOG = Logger.getLogger(TemplateRuns.class);

    public static final String RUNNING = "running";
    public static final String RETRYING = "retrying";
    public static final String INVALID_OUTPUT = "invalid-output";
    public static final String FAILED = "failed";

    private final GenerationRepository generations;
    private final Outbox outbox;

    public TemplateRuns(GenerationRepository generations, Outbox outbox) {
        this.generations = generations;
        this.outbox = outbox;
    }

    /** How a run ended: its status, its last answer, its checked result, the usage of all its calls. */
    /** @param failureStatus for a failed run, the HTTP status its cause had (400 when the provider refused it) */
    public record Ending(String status, String provider, String providerModel, String output, String result,
            String error, int failureStatus, String finishReason, long inputTokens, long outputTokens,
            long costMicros, boolean answered) {

        /** What the run used: one generation (however many calls it took) when it was answered, else nothing. */
        public Usage usage() {
            return answered ? Usage.generation(inputTokens, 0, outputTokens, costMicros) : Usage.NONE;
        }
    }

    @WithTransaction
    public Uni<Generation> start(UUID id, Caller caller, String template, String model, String input, String prompt,
            Duration lease) {
        Generation run = new Generation();
        run.id = id;
        run.tenantId = caller.tenantId();
        run.userId = caller.userId();
        run.apiKeyId = caller.apiKeyId();
        run.template = template;
        run.model = model;
        run.input = input;
        run.prompt = prompt;
        run.outcome = RUNNING;
        run.createdAt = Instant.now();
        run.updatedAt = run.createdAt;
        run.leaseUntil = run.createdAt.plus(lease);
        // a run would store an erased user's input again
        return generations.erased(caller.userId(), caller.tenantId())
                .chain(erased -> {
                    if (erased) {
                        throw Problems.of(Response.Status.FORBIDDEN, "account-erased",
                                "this account was erased; sign in again to start a new one");
                    }
                    return generations.persist(run);
                });
    }

    /** The first answer missed the schema: the run asks again, its lease renewed for the second call. */
    @WithTransaction
    public Uni<Void> retrying(UUID id, Duration lease) {
        Instant now = Instant.now();
        return generations.update("outcome = ?1, updatedAt = ?2, leaseUntil = ?3 where id = ?4 and outcome in (?5, ?6)",
                RETRYING, now, now.plus(lease), id, RUNNING, RETRYING).replaceWithVoid();
    }

    /**
     * Ends the run and, if a provider answered, appends its usage: both or neither, once. The row is locked: a run
     * that another replica ended first (it took the run over while this one was slow) is left as it is, and this
     * ending is neither stored nor billed. A run whose row is gone (its user was erased meanwhile; asking about
     * the erasure's locks waits for its marks) still has its usage counted.
     */
    @WithTransaction
    public Uni<Generation> finish(UUID id, UUID tenantId, UUID userId, String model, Ending ending) {
        Instant now = Instant.now();
        // named by the API key the run was started with, as a chat completion's usage is
        java.util.function.Function<UUID, Uni<Void>> usage = apiKeyId -> !ending.answered()
                ? Uni.createFrom().voidItem()
                : outbox.append(new UsageRecorded(UUID.randomUUID(), now, tenantId, UsageRecorded.SCHEMA_VERSION,
                        userId, RecordGeneration.SOURCE, model, id.toString(), ending.usage().quantities(), apiKeyId,
                        null)).replaceWithVoid();
        return generations.erased(userId, tenantId)
                .chain(() -> generations.findById(id, LockModeType.PESSIMISTIC_WRITE)).chain(run -> {
                    if (run == null) {
                        return usage.apply(null).replaceWith((Generation) null);
                    }
                    if (!RUNNING.equals(run.outcome) && !RETRYING.equals(run.outcome)) {
                        LOG.warnf("templates: run %s was already ended (%s) by another replica; this ending is dropped",
                                id, run.outcome);
                        return Uni.createFrom().item(run);
                    }
                    run.outcome = ending.status();
                    run.provider = ending.provider();
                    run.providerModel = ending.providerModel();
                    run.output = ending.output();
                    run.result = ending.result();
                    run.error = ending.error();
                    run.failureStatus = ending.failureStatus();
                    run.finishReason = ending.finishReason();
                    run.inputTokens = ending.inputTokens();
                    run.outputTokens = ending.outputTokens();
                    run.costMicros = ending.costMicros();
                    run.leaseUntil = null;
                    run.updatedAt = now;
                    return usage.apply(run.apiKeyId).replaceWith(run);
                });
    }

    /** A run as its progress stream reads it. */
    @WithSession
    public Uni<Generation> find(UUID id) {
        return generations.findById(id);
    }

    /** An unfinished run taken over from a replica whose lease ran out, with the API key it was started with. */
    public record Orphan(UUID id, UUID tenantId, UUID userId, String template, String input, UUID apiKeyId) {
    }

    /**
     * Takes over up to {@code limit} runs whose lease ran out, extending it by {@code lease}; replicas looking at
     * the same moment take different ones.
     */
    @WithTransaction
    public Uni<List<Orphan>> takeOver(int limit, Duration lease) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                update {h-schema}generations set lease_until = now() + make_interval(secs => :lease),
                       outcome = 'running', updated_at = now()
                where id in (select id from {h-schema}generations
                             where outcome in ('running', 'retrying') and lease_until < now()
                             order by lease_until limit :limit for update skip locked)
                returning id, tenant_id, user_id, template, input, api_key_id""", Object[].class)
                .setParameter("lease", (double) lease.toSeconds())
                .setParameter("limit", limit)
                .getResultList())
                .map(rows -> {
                    List<Orphan> orphans = new ArrayList<>();
                    for (Object[] row : rows) {
                        orphans.add(new Orphan((UUID) row[0], (UUID) row[1], (UUID) row[2], (String) row[3],
                                (String) row[4], (UUID) row[5]));
                    }
                    return orphans;
                });
    }
}
