package dev.tollgate.common.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Carries out a service's part of an erasure without holding anyone else up. {@link #start} runs in the inbox's
 * transaction of {@code account.deleted}: it takes the user's and tenants' {@link ErasureLocks} (waiting only for
 * their own writes in flight), marks them erased and records the job; that transaction ends at once. Replicas then
 * delete the rows in batches of {@code tollgate.erasure.batch-size}, each in a short transaction of its own under
 * the job's row lock (one replica at a time), and the job's last transaction sends the receipt
 * ({@code account.purged}) with what was deleted. A replica that stops leaves the job where it was; any replica goes
 * on with it. A request sent again for a job already done is receipted again; one still under way is left to it.
 * A service that uses it provides an {@link ErasureSteps} bean and an {@code erasure_jobs} table in its migrations.
 */
@ApplicationScoped
public class ErasureJobs {

    private static final Logger LOG = Logger.getLogger(ErasureJobs.class);
    /** How long one pass goes on with jobs before it leaves the rest to the next. */
    private static final Duration PASS = Duration.ofSeconds(20);

    private final Instance<ErasureSteps> steps;
    private final ErasureConfig config;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final AtomicLong open = new AtomicLong();
    private final int lockSpace;

    public ErasureJobs(Instance<ErasureSteps> steps, ErasureConfig config, Outbox outbox, ObjectMapper json,
            MeterRegistry registry, ServiceConfig service) {
        this.lockSpace = ErasureLocks.space(service.schema());
        this.steps = steps;
        this.config = config;
        this.outbox = outbox;
        this.json = json;
        this.registry = registry;
        registry.gauge("tollgate.erasure.jobs.open", open);
    }

    /** Starts the service's part of {@code request}; runs in the inbox's transaction. */
    public Uni<Void> start(AccountDeleted request) {
        ErasureSteps service = steps.get();
        if (!request.addressedTo(service.service())) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().chain(session -> job(session, request.deletionId(), false).chain(known -> {
            if (known != null) {
                if (known.done) {
                    LOG.infof("erasure: deletion %s was done here before; receipted again", request.deletionId());
                    return outbox.append(AccountPurged.of(request, service.service(), known.counts));
                }
                LOG.infof("erasure: deletion %s is under way here; its receipt follows when it is done",
                        request.deletionId());
                return Uni.createFrom().voidItem();
            }
            List<UUID> tenants = request.erasedTenants();
            List<Object> locked = new ArrayList<>(tenants);
            locked.add(request.userId());
            return ErasureLocks.exclusive(session, lockSpace, locked, config.lockTimeout())
                    .chain(() -> service.mark(session, request))
                    .chain(() -> session.createNativeQuery("""
                            insert into {h-schema}erasure_jobs (deletion_id, user_id, tenant_id, tenants)
                            values (:deletion, :user, :tenant, cast(:tenants as uuid[]))
                            on conflict (deletion_id) do nothing""")
                            .setParameter("deletion", request.deletionId())
                            .setParameter("user", request.userId())
                            .setParameter("tenant", request.tenantId())
                            .setParameter("tenants", tenants.toArray(UUID[]::new))
                            .executeUpdate())
                    .invoke(() -> LOG.infof("audit: erasure %s of user %s started here (tenants deleted: %s); the rows "
                            + "go in batches", request.deletionId(), request.userId(), tenants))
                    .replaceWithVoid();
        }));
    }

    /** Goes on with the open jobs, for a while. */
    @Scheduled(identity = "erasure-batches", every = "${tollgate.erasure.batch-every:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> work() {
        if (!steps.isResolvable()) {
            return Uni.createFrom().voidItem();
        }
        long until = System.nanoTime() + PASS.toNanos();
        return Panache.withSession(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                "select deletion_id from {h-schema}erasure_jobs where done_at is null order by created_at", UUID.class)
                .getResultList()))
                .chain(ids -> {
                    open.set(ids.size());
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (UUID id : ids) {
                        // a job that fails leaves the others to go on; it is tried again on the next pass
                        chain = chain.chain(() -> System.nanoTime() < until ? advance(id, until)
                                .onFailure().invoke(e -> {
                                    registry.counter("tollgate.erasure.batch.failures", "service",
                                            steps.get().service()).increment();
                                    LOG.warnf("erasure: a batch of deletion %s failed, tried again on the next pass: "
                                            + "%s", id, e.toString());
                                })
                                .onFailure().recoverWithNull()
                                : Uni.createFrom().voidItem());
                    }
                    return chain;
                })
                .onFailure().invoke(e -> LOG.warnf("erasure: a pass failed, the next goes on where it stopped: %s",
                        e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Batch after batch of one job, until it is done, another replica has it, or the pass is over. */
    private Uni<Void> advance(UUID deletionId, long until) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> batch(session, deletionId)))
                .chain(more -> more && System.nanoTime() < until ? advance(deletionId, until)
                        : Uni.createFrom().voidItem());
    }

    /** One batch of the job's first step with rows left, or its end; answers whether there is more to do. */
    private Uni<Boolean> batch(Mutiny.Session session, UUID deletionId) {
        ErasureSteps service = steps.get();
        return job(session, deletionId, true).chain(job -> {
            if (job == null || job.done) {
                return Uni.createFrom().item(false); // another replica has it, or it is done
            }
            List<ErasureSteps.Step> plan = service.steps(job.job);
            return step(session, plan, 0).chain(touched -> {
                if (touched != null) {
                    if (touched.counted() != null) {
                        job.counts.merge(touched.counted(), touched.rows(), Long::sum);
                    }
                    return session.createNativeQuery(
                            "update {h-schema}erasure_jobs set counts = :counts where deletion_id = :deletion")
                            .setParameter("counts", write(job.counts))
                            .setParameter("deletion", deletionId)
                            .executeUpdate()
                            .invoke(() -> registry.counter("tollgate.erasure.rows", "service", service.service())
                                    .increment(touched.rows()))
                            .replaceWith(true);
                }
                return session.createNativeQuery(
                        "update {h-schema}erasure_jobs set done_at = now() where deletion_id = :deletion")
                        .setParameter("deletion", deletionId)
                        .executeUpdate()
                        .chain(() -> outbox.append(AccountPurged.of(job.job.tenantId(), deletionId, job.job.userId(),
                                service.service(), job.counts)))
                        .invoke(() -> {
                            registry.counter("tollgate.erasure.jobs.done", "service", service.service()).increment();
                            LOG.infof("audit: erasure %s of user %s is done here: %s; receipted", deletionId,
                                    job.job.userId(), job.counts);
                        })
                        .replaceWith(false);
            });
        });
    }

    private record Touched(String counted, long rows) {
    }

    /** Runs the plan's steps from {@code index} until one touches rows: that one, or null when none has any left. */
    private Uni<Touched> step(Mutiny.Session session, List<ErasureSteps.Step> plan, int index) {
        if (index >= plan.size()) {
            return Uni.createFrom().nullItem();
        }
        ErasureSteps.Step step = plan.get(index);
        var query = session.createNativeQuery(step.sql());
        step.parameters().forEach(query::setParameter);
        query.setParameter("batch", config.batchSize());
        return query.executeUpdate().chain(rows -> rows > 0 ? Uni.createFrom().item(new Touched(step.counted(), rows))
                : step(session, plan, index + 1));
    }

    private record Stored(ErasureSteps.Job job, Map<String, Long> counts, boolean done) {
    }

    /** The job, or null; {@code lock}: locked for this transaction, or null when another replica holds it. */
    private Uni<Stored> job(Mutiny.Session session, UUID deletionId, boolean lock) {
        return session.createNativeQuery("select deletion_id, user_id, tenant_id, cast(tenants as text), counts, "
                + "done_at is not null from {h-schema}erasure_jobs where deletion_id = :deletion"
                + (lock ? " for update skip locked" : ""), Object[].class)
                .setParameter("deletion", deletionId)
                .getResultList()
                .map(rows -> {
                    if (rows.isEmpty()) {
                        return null;
                    }
                    Object[] row = rows.get(0);
                    return new Stored(new ErasureSteps.Job((UUID) row[0], (UUID) row[1], (UUID) row[2],
                            uuids((String) row[3])), new LinkedHashMap<>(read((String) row[4])), (Boolean) row[5]);
                });
    }

    /** A PostgreSQL array's text, {@code {a,b}}, as ids. */
    private static List<UUID> uuids(String array) {
        String inner = array.substring(1, array.length() - 1);
        return inner.isBlank() ? List.of() : Arrays.stream(inner.split(",")).map(UUID::fromString).toList();
    }

    private String write(Map<String, Long> counts) {
        return ErasureCounts.write(json, counts);
    }

    private Map<String, Long> read(String counts) {
        return ErasureCounts.read(json, counts);
    }
}
