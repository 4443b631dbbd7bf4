package dev.tollgate.generation.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.outbox.OutboxRelay;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.record.repository.GenerationRepository;
import dev.tollgate.generation.usage.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Writes a generation and its {@code usage.recorded} in one transaction: both or neither. A user erased in the
 * meantime gets no generation row, only the usage.
 * <p>
 * An answer the caller has (or is getting) is never free by accident: {@link #recordSurely} does not fail. When the
 * write fails (the database away, a deadlock), the usage event is published straight to {@code usage.recorded}
 * (with the id the outbox would give it, so the ledger and billing take it once however often it arrives) and the
 * write is tried again every few seconds until it succeeds, so the generation's row and history follow. What is still
 * waiting is counted ({@code tollgate_generation_records_pending}) and tried once more at shutdown.
 */
@ApplicationScoped
public class RecordGeneration {

    public static final String SOURCE = "generation";
    /** The answer is whole. */
    public static final String COMPLETED = "completed";
    /** A stream broke off; the part sent is stored and billed. */
    public static final String INTERRUPTED = "interrupted";
    private static final Logger LOG = Logger.getLogger(RecordGeneration.class);
    /** The most writes kept for later in memory; past it a write is given up (its usage was published directly). */
    static final int MOST_PENDING = 10_000;

    /**
     * A generation to write: what the caller got, and when; {@code stored} false for usage without a generation row
     * (embeddings), {@code quantities} what its usage event counts.
     */
    record Answered(UUID id, Caller caller, String model, ChatCall call, Completion completion, String outcome,
            long costMicros, Instant at, boolean stored, Map<String, Long> quantities, String endUser) {
    }

    private final GenerationRepository generations;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final EventCodec codec;
    private final MutinyEmitter<String> direct;
    private final Queue<Answered> pending = new ConcurrentLinkedQueue<>();
    private final Counter kept;
    private final Counter published;
    private final Counter late;
    private final Counter given;

    public RecordGeneration(GenerationRepository generations, Outbox outbox, ObjectMapper json, EventCodec codec,
            @Channel("usage-direct") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 10_000) MutinyEmitter<String> direct,
            MeterRegistry registry) {
        this.generations = generations;
        this.outbox = outbox;
        this.json = json;
        this.codec = codec;
        this.direct = direct;
        this.kept = registry.counter("tollgate.generation.records", "outcome", "kept-for-retry");
        this.published = registry.counter("tollgate.generation.records", "outcome", "usage-published-directly");
        this.late = registry.counter("tollgate.generation.records", "outcome", "written-late");
        this.given = registry.counter("tollgate.generation.records", "outcome", "given-up");
        registry.gaugeCollectionSize("tollgate.generation.records.pending", List.of(), pending);
    }

    /**
     * Writes the generation and its usage, or, when that fails, makes the usage durable another way and keeps the
     * write for later: never fails, so an answer the caller has is billed whatever the database does.
     */
    public Uni<Void> recordSurely(UUID id, Caller caller, String model, ChatCall call, Completion completion,
            String outcome, long costMicros) {
        return recordSurely(new Answered(id, caller, model, call, completion, outcome, costMicros, Instant.now(), true,
                completion.usage(costMicros).quantities(), endUser(call == null ? null : call.document())));
    }

    /**
     * The usage of embeddings ({@code id} names them): input tokens and their cost, no generation and no row in the
     * history; as sure as {@link #recordSurely} a generation's.
     */
    public Uni<Void> recordEmbeddingsSurely(UUID id, Caller caller, String model, ObjectNode request,
            Completion completion, long costMicros) {
        return recordSurely(new Answered(id, caller, model, null, completion, RecordGeneration.COMPLETED, costMicros,
                Instant.now(), false, Usage.embeddings(completion.inputTokens(), costMicros).quantities(),
                endUser(request)));
    }

    /** The request's {@code user}: the caller's own customer it was made for, usage can be grouped by. */
    private static String endUser(ObjectNode request) {
        return request != null && request.path("user").isTextual() ? request.get("user").asText() : null;
    }

    private Uni<Void> recordSurely(Answered answered) {
        UUID id = answered.id();
        return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> write(answered, false)))
                .onFailure().recoverWithUni(e -> {
                    kept.increment();
                    if (pending.size() < MOST_PENDING) {
                        pending.add(answered);
                    } else {
                        given.increment();
                        LOG.errorf("record: %d writes already wait; generation %s is not kept (its usage is published "
                                + "directly)", MOST_PENDING, id);
                    }
                    LOG.errorf("record: generation %s of tenant %s was answered but could not be written (%s); its "
                            + "usage is published directly and the write is tried again", id,
                            answered.caller().tenantId(), e.toString());
                    // not waited for: the caller has the answer already; a failure is logged and retried with the write
                    publishDirectly(answered).subscribe().with(ignored -> {
                    }, failure -> LOG.errorf("record: the usage of generation %s could not be published either (%s); "
                            + "it is kept in memory until the database or Kafka is back", id, failure.toString()));
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * The writes kept for later, tried again: each one that succeeds is done. Not before the application has started:
     * a first run would create this bean before its Kafka channel is wired, and fail.
     */
    @Scheduled(identity = "generation-records-retry", every = "2s", skipExecutionIf = OutboxRelay.UntilStarted.class, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> retryPending() {
        List<Answered> waiting = List.copyOf(pending);
        if (waiting.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(waiting)
                .onItem().transformToUniAndConcatenate(answered -> Panache.withTransaction(() -> write(answered, true))
                        .invoke(() -> {
                            pending.remove(answered);
                            late.increment();
                            LOG.infof("record: generation %s written late, with its usage", answered.id());
                        })
                        .onFailure().invoke(e -> LOG.debugf("record: generation %s still cannot be written: %s",
                                answered.id(), e.getMessage()))
                        .onFailure().recoverWithNull())
                .collect().last().replaceWithVoid();
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (pending.isEmpty()) {
            return;
        }
        try {
            // on a Vert.x context, as the database client needs
            VertxContextSupport.subscribeAndAwait(this::retryPending);
        } catch (Throwable e) {
            LOG.debugf("record: the last try at shutdown failed: %s", e.getMessage());
        }
        for (Answered answered : pending) {
            LOG.errorf("record: generation %s of tenant %s is stopped unwritten; its usage event %s was published "
                    + "directly if Kafka took it", answered.id(), answered.caller().tenantId(), usageId(answered.id()));
        }
    }

    /**
     * The generation and its usage in the caller's transaction. On a retry ({@code again}) a generation written
     * before (its commit's answer lost) is left as it is.
     */
    private Uni<Void> write(Answered answered, boolean again) {
        UsageRecorded usage = usage(answered);
        if (!answered.stored()) {
            // usage alone: on a retry, appended before if its commit's answer was lost
            return (again ? outbox.holds(usage.eventId()) : Uni.createFrom().item(false))
                    .chain(already -> already ? Uni.createFrom().voidItem() : outbox.append(usage));
        }
        Uni<Boolean> written = again ? generations.findById(answered.id()).map(found -> found != null)
                : Uni.createFrom().item(false);
        return written.chain(already -> {
            if (already) {
                return Uni.createFrom().voidItem();
            }
            // a generation answered while its user or tenant was being erased is not stored; its usage still goes
            // out (metering records it without the user, or not at all for a deleted tenant)
            return generations.erased(answered.caller().userId(), answered.caller().tenantId()).chain(erased -> {
                if (erased) {
                    LOG.infof("audit: user %s or tenant %s was erased while generation %s was answered; not stored",
                            answered.caller().userId(), answered.caller().tenantId(), answered.id());
                    return outbox.append(usage);
                }
                return generations.persist(generation(answered)).call(() -> outbox.append(usage)).replaceWithVoid();
            });
        });
    }

    private Uni<Void> publishDirectly(Answered answered) {
        UsageRecorded usage = usage(answered);
        // as the outbox relay sends it: keyed by tenant, with its CloudEvents attributes
        OutgoingCloudEventMetadata<String> cloudEvent = OutgoingCloudEventMetadata.<String> builder()
                .withId(usage.eventId().toString())
                .withType(EventType.USAGE_RECORDED.cloudEventType())
                .withSource(URI.create("/tollgate/" + SOURCE))
                .withSubject(usage.tenantId().toString())
                .withTimestamp(usage.occurredAt().atZone(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .build();
        return direct.sendMessage(Message.of(codec.encode(usage)).addMetadata(OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(usage.tenantId().toString()).build()).addMetadata(cloudEvent))
                .invoke(() -> {
                    published.increment();
                    LOG.infof("record: the usage of generation %s went to Kafka directly (event %s)", answered.id(),
                            usage.eventId());
                });
    }

    private Generation generation(Answered answered) {
        Generation generation = new Generation();
        generation.id = answered.id();
        generation.tenantId = answered.caller().tenantId();
        generation.userId = answered.caller().userId();
        generation.model = answered.model();
        generation.provider = answered.completion().provider();
        generation.providerModel = answered.completion().model();
        generation.prompt = storable(prompt(answered.call()));
        generation.output = storable(answered.completion().content());
        generation.finishReason = answered.completion().finishReason();
        generation.inputTokens = answered.completion().inputTokens();
        generation.outputTokens = answered.completion().outputTokens();
        generation.outcome = answered.outcome();
        generation.costMicros = answered.costMicros();
        generation.createdAt = answered.at();
        generation.updatedAt = answered.at();
        return generation;
    }

    /** The usage of a generation: the same event, with the same id, however often it is written or published. */
    private static UsageRecorded usage(Answered answered) {
        return new UsageRecorded(usageId(answered.id()), answered.at(), answered.caller().tenantId(),
                UsageRecorded.SCHEMA_VERSION, answered.caller().userId(), SOURCE, answered.model(),
                answered.id().toString(), answered.quantities(), answered.caller().apiKeyId(), answered.endUser());
    }

    /** The id of generation {@code id}'s usage event. */
    static UUID usageId(UUID generationId) {
        return UUID.nameUUIDFromBytes(("usage.recorded:" + generationId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code text} as PostgreSQL's {@code text} takes it: a NUL character, which it refuses (and would fail the record
     * of an answer already sent), becomes U+FFFD; everything else is kept as it is.
     */
    static String storable(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    private String prompt(ChatCall call) {
        try {
            return json.writeValueAsString(call.messages());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("the prompt cannot be written as JSON", e);
        }
    }
}
