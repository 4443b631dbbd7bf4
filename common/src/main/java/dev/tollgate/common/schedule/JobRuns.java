package dev.tollgate.common.schedule;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs a scheduled job once per period across the replicas of a service. Every replica's scheduler fires (their
 * timers are not aligned); the first to move the job's start time in {@code job_run} forward runs it, the others see
 * that it ran less than a period ago and skip. The claim is its own short transaction, so a job holds no lock while
 * it works; a replica that dies mid-job leaves the rest to the next period. Jobs that share their work row by row
 * (the outbox relay, the mail queue, the Stripe tasks, the dead-letter re-drive) lease rows instead and need none
 * of this.
 */
@ApplicationScoped
public class JobRuns {

    private static final Logger LOG = Logger.getLogger(JobRuns.class);
    /** A replica's timer may fire a little early; a run this much shorter than the period still counts as one. */
    static final double SLACK = 0.9;

    private final String replica = UUID.randomUUID().toString();

    /** Runs {@code job} if no replica ran {@code name} within the last {@code every} (less a little slack). */
    public Uni<Void> once(String name, Duration every, Supplier<Uni<?>> job) {
        return claim(name, every).chain(claimed -> {
            if (!claimed) {
                LOG.debugf("scheduled job %s: another replica ran it less than %s ago", name, every);
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().deferred(job).replaceWithVoid();
        });
    }

    /** Whether this replica may run {@code name} now (and, if so, it is recorded as started). */
    public Uni<Boolean> claim(String name, Duration every) {
        long millis = (long) (every.toMillis() * SLACK);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session.createNativeQuery("""
                insert into {h-schema}job_run (job, started_at, replica) values (:job, now(), :replica)
                on conflict (job) do update set started_at = now(), replica = excluded.replica
                 where job_run.started_at <= now() - make_interval(secs => :seconds)
                returning job""", String.class)
                .setParameter("job", name)
                .setParameter("replica", replica)
                .setParameter("seconds", millis / 1000.0)
                .getResultList()))
                .map(claimed -> !claimed.isEmpty());
    }
}
