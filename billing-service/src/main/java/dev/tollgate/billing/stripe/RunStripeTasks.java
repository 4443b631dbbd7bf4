package dev.tollgate.billing.stripe;

import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.stripe.repository.StripeTaskRepository;
import dev.tollgate.common.schedule.JobRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Carries out due {@link StripeTask}s in batches: the batch is locked (another replica skips it), its Stripe calls
 * run concurrently, and each task that Stripe accepted is marked done with its local effects in the same
 * transaction. A task Stripe did not accept is tried again later, backing off up to an hour; its id is the
 * idempotency key, so a call whose answer was lost is not applied twice.
 */
@ApplicationScoped
public class RunStripeTasks {

    private static final Logger LOG = Logger.getLogger(RunStripeTasks.class);
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);
    private static final int CONCURRENT_CALLS = 8;

    private final StripeTaskRepository tasks;
    private final Map<String, StripeTaskHandler> handlers;
    private final JobRuns jobs;
    private final BillingConfig config;
    private final MeterRegistry registry;
    private final AtomicLong waiting = new AtomicLong();

    public RunStripeTasks(StripeTaskRepository tasks, Instance<StripeTaskHandler> handlers, BillingConfig config,
            JobRuns jobs, MeterRegistry registry) {
        this.tasks = tasks;
        this.jobs = jobs;
        this.handlers = handlers.stream().collect(Collectors.toMap(StripeTaskHandler::kind, Function.identity()));
        this.config = config;
        this.registry = registry;
        registry.gauge("tollgate.billing.stripe.tasks.waiting", waiting);
    }

    @Scheduled(identity = "stripe-tasks", every = "${tollgate.billing.stripe-tasks.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return Panache.withTransaction(() -> tasks.lockDue(Instant.now(), config.stripeTasks().batchSize())
                .chain(this::carryOut))
                .chain(() -> Panache.withSession(tasks::countWaiting))
                .invoke(waiting::set)
                .onFailure()
                .invoke(e -> LOG.warnf("billing: a Stripe task pass failed, tried again on the next: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    @Scheduled(identity = "stripe-tasks-cleanup", every = "1h", delayed = "5m")
    Uni<Void> removeDone() {
        return jobs.once("stripe-tasks-cleanup", Duration.ofHours(1), () -> Panache.withTransaction(
                () -> tasks.removeDone(Instant.now().minus(config.stripeTasks().retention()))));
    }

    private Uni<Void> carryOut(List<StripeTask> due) {
        if (due.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // the Stripe calls run together; the session is used by one task at a time afterwards
        return Multi.createFrom().iterable(due)
                .onItem().transformToUni(task -> call(task).map(accepted -> Map.entry(task, accepted)))
                .merge(CONCURRENT_CALLS)
                .collect().asList()
                .chain(results -> Multi.createFrom().iterable(results)
                        .onItem().transformToUniAndConcatenate(result -> result.getValue()
                                ? handler(result.getKey()).done(result.getKey())
                                        .invoke(() -> result.getKey().doneAt = Instant.now())
                                : Uni.createFrom().voidItem())
                        .collect().asList())
                .replaceWithVoid();
    }

    /** Makes the task's calls; true if Stripe accepted them, false (and scheduled again) if not. */
    private Uni<Boolean> call(StripeTask task) {
        return Uni.createFrom().deferred(() -> handler(task).callStripe(task))
                .map(ignored -> {
                    registry.counter("tollgate.billing.stripe.tasks", "kind", task.kind, "outcome", "done").increment();
                    return true;
                })
                .onFailure().recoverWithItem(e -> {
                    task.attempts++;
                    long backoff = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(task.attempts + 1, 20));
                    task.nextAttemptAt = Instant.now().plusSeconds(backoff);
                    task.lastError = String.valueOf(e.getMessage());
                    registry.counter("tollgate.billing.stripe.tasks", "kind", task.kind, "outcome", "failed").increment();
                    LOG.warnf("billing: Stripe task %s (%s, tenant %s) failed on attempt %d, tried again in %d s: %s",
                            task.id, task.kind, task.tenantId, task.attempts, backoff, e.getMessage());
                    return false;
                });
    }

    private StripeTaskHandler handler(StripeTask task) {
        StripeTaskHandler handler = handlers.get(task.kind);
        if (handler == null) {
            throw new IllegalStateException("no handler for Stripe task kind " + task.kind);
        }
        return handler;
    }
}
