package dev.tollgate.billing.stripe;

import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Carries out due {@link StripeTask}s in three steps, so that no row lock is held while Stripe answers: a short
 * transaction claims a batch under a lease (another replica skips it), the Stripe calls run concurrently with no
 * transaction open (none starts with less than {@link #LONGEST_CALL} of the lease left), and each task is finished
 * in a transaction of its own, only while its lease still holds (a task whose lease lapsed was taken again by another
 * pass, which finishes it). Kinds this replica does not know are left to replicas that do. A task Stripe accepted
 * is marked done with its local effects; one Stripe could not answer (throttled, 5xx, no connection) or would not take from
 * this
 * account (401, 403) is tried again later, backing off up to an hour; one Stripe refused for its content (400, 402,
 * 404, an idempotency conflict) is parked for an operator, as is a meter event first sent more than Stripe's 24-hour
 * dedupe window ago and not known to have arrived (sent again, it could count twice). The task id is the idempotency
 * key, so a call whose answer was lost is applied once.
 */
@ApplicationScoped
public class RunStripeTasks {

    private static final Logger LOG = Logger.getLogger(RunStripeTasks.class);
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);
    private static final int CONCURRENT_CALLS = 8;
    /** The longest one task's calls may take (a read timeout and the retries): none starts with less lease left. */
    private static final Duration LONGEST_CALL = Duration.ofSeconds(90);

    /** What became of one call. */
    enum Result {
        /** Stripe accepted it. */
        DONE,
        /** Stripe answered that it did not apply it (throttled, unauthorized): try again later. */
        REFUSED_FOR_NOW,
        /** No answer, or a 5xx: Stripe may have applied it; try again later with the same idempotency key. */
        UNKNOWN,
        /** Stripe refused it for its content: trying again changes nothing. */
        REFUSED_FOR_GOOD,
        /** Not called: too little of the pass's lease was left for it. */
        NOT_CALLED
    }

    private final StripeTaskRepository tasks;
    private final Map<String, StripeTaskHandler> handlers;
    private final JobRuns jobs;
    private final BillingConfig config;
    private final MeterRegistry registry;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();

    public RunStripeTasks(StripeTaskRepository tasks, Instance<StripeTaskHandler> handlers, BillingConfig config,
            JobRuns jobs, MeterRegistry registry) {
        this.tasks = tasks;
        this.jobs = jobs;
        this.handlers = handlers.stream().collect(Collectors.toMap(StripeTaskHandler::kind, Function.identity()));
        this.config = config;
        this.registry = registry;
        registry.gauge("tollgate.billing.stripe.tasks.waiting", waiting);
        registry.gauge("tollgate.billing.stripe.tasks.parked", parked);
    }

    @Scheduled(identity = "stripe-tasks", every = "${tollgate.billing.stripe-tasks.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        // PostgreSQL keeps microseconds: the lease compared later is the one stored
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant lease = now.plus(config.stripeTasks().lease());
        return Panache.withTransaction(() -> tasks.lockDue(handlers.keySet(), now, config.stripeTasks().batchSize())
                .map(due -> claim(due, now, lease)))
                .chain(claimed -> carryOut(claimed, lease))
                .chain(() -> Panache.withSession(() -> tasks.countWaiting().invoke(waiting::set)
                        .chain(tasks::countParked).invoke(parked::set)))
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

    /**
     * In the claiming transaction: holds each due task under {@code lease} and marks its call as one whose outcome
     * is not known yet; parks what must not be called.
     */
    private List<StripeTask> claim(List<StripeTask> due, Instant now, Instant lease) {
        List<StripeTask> claimed = new ArrayList<>(due.size());
        for (StripeTask task : due) {
            if (StripeTask.METER_EVENT.equals(task.kind) && task.uncertainSince != null
                    && task.uncertainSince.isBefore(now.minus(config.stripeTasks().meterDedupeWindow()))) {
                park(task, now, "it was first sent at " + task.uncertainSince + " and is not known to have "
                        + "arrived, and Stripe's dedupe window for meter events has passed since: sent again it could "
                        + "be counted twice. Look for meter event " + task.id + " at Stripe, then retry or discard "
                        + "the task");
            } else {
                task.leasedUntil = lease;
                task.attempts++;
                if (task.uncertainSince == null) {
                    task.uncertainSince = now;
                }
                claimed.add(task);
            }
        }
        return claimed;
    }

    private Uni<Void> carryOut(List<StripeTask> claimed, Instant lease) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // the Stripe calls run together with no transaction open; each is finished in its own, one at a time
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUni(task -> call(task, lease).map(result -> Map.entry(task, result)))
                .merge(CONCURRENT_CALLS)
                .onItem().transformToUniAndConcatenate(called -> finish(called.getKey(), called.getValue(), lease))
                .collect().last()
                .replaceWithVoid();
    }

    /** Makes the task's calls; what became of them, the failure kept as the task's last error. */
    private Uni<Map.Entry<Result, String>> call(StripeTask task, Instant lease) {
        if (Instant.now().plus(LONGEST_CALL).isAfter(lease)) {
            // its call could outlast the lease, and another replica would call too: left for the next pass
            return Uni.createFrom().item(Map.entry(Result.NOT_CALLED, ""));
        }
        return Uni.createFrom().deferred(() -> handlers.get(task.kind).callStripe(task))
                .map(ignored -> Map.entry(Result.DONE, ""))
                .onFailure().recoverWithItem(e -> Map.entry(resultOf(e), String.valueOf(e.getMessage())));
    }

    /** What a failed call means for its task. */
    static Result resultOf(Throwable failure) {
        if (failure instanceof InvalidRequestException || failure instanceof CardException
                || failure instanceof IdempotencyException) {
            return Result.REFUSED_FOR_GOOD;
        }
        if (failure instanceof RateLimitException || failure instanceof AuthenticationException
                || failure instanceof PermissionException) {
            return Result.REFUSED_FOR_NOW;
        }
        return Result.UNKNOWN;
    }

    /** Records what became of the call, if the task is still held under {@code lease}. */
    private Uni<Void> finish(StripeTask called, Map.Entry<Result, String> outcome, Instant lease) {
        Result result = outcome.getKey();
        return Panache.withTransaction(() -> tasks.heldUnder(called.id, lease).chain(task -> {
            if (task == null) {
                LOG.warnf("billing: Stripe task %s (%s) was %s after its lease ran out; the pass that took it "
                        + "again finishes it", called.id, called.kind, result);
                return Uni.createFrom().voidItem();
            }
            Instant now = Instant.now();
            task.leasedUntil = null;
            if (result == Result.NOT_CALLED) {
                return Uni.createFrom().voidItem();
            }
            registry.counter("tollgate.billing.stripe.tasks", "kind", task.kind, "outcome",
                    result == Result.DONE ? "done" : result == Result.REFUSED_FOR_GOOD ? "refused" : "failed")
                    .increment();
            if (result == Result.DONE) {
                task.uncertainSince = null;
                task.doneAt = now;
                return handlers.get(task.kind).done(task);
            }
            // an answer says nothing of an earlier call that got none: uncertainSince stays until the task is done
            task.lastError = outcome.getValue();
            if (result == Result.REFUSED_FOR_GOOD) {
                park(task, now, outcome.getValue());
                return Uni.createFrom().voidItem();
            }
            long backoff = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(task.attempts + 1, 20));
            task.nextAttemptAt = now.plusSeconds(backoff);
            LOG.warnf("billing: Stripe task %s (%s, tenant %s) failed on attempt %d (%s), tried again in %d s: %s",
                    task.id, task.kind, task.tenantId, task.attempts,
                    result == Result.UNKNOWN ? "Stripe may have applied it" : "Stripe applied nothing", backoff,
                    outcome.getValue());
            return Uni.createFrom().voidItem();
        })).onFailure().invoke(e -> LOG.warnf("billing: what became of Stripe task %s (%s) could not be recorded; "
                + "it is taken again once its lease runs out: %s", called.id, result, e.toString()))
                .onFailure().recoverWithNull();
    }

    private void park(StripeTask task, Instant now, String why) {
        task.parkedAt = now;
        task.leasedUntil = null;
        task.lastError = why;
        registry.counter("tollgate.billing.stripe.tasks.parkings", "kind", task.kind).increment();
        LOG.errorf("alert: Stripe task %s (%s, tenant %s) is parked for an operator after %d attempt(s): %s", task.id,
                task.kind, task.tenantId, task.attempts, why);
    }
}
