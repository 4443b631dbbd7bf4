package dev.tollgate.common.inbox;

import dev.tollgate.common.schedule.JobRuns;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Forgets applied events once they are older than {@code tollgate.inbox.retention}: by then no topic holds their
 * records any more, so none can be redelivered, and the table stays as large as a month of events. Resolved dead
 * letters go after the same time.
 */
@ApplicationScoped
public class InboxCleanup {

    private static final Logger LOG = Logger.getLogger(InboxCleanup.class);

    private final InboxConfig config;
    private final DeadLetters deadLetters;
    private final JobRuns jobs;

    public InboxCleanup(InboxConfig config, DeadLetters deadLetters, JobRuns jobs) {
        this.config = config;
        this.deadLetters = deadLetters;
        this.jobs = jobs;
    }

    @Scheduled(identity = "inbox-cleanup", every = "1h", delayed = "2m")
    Uni<Void> scheduled() {
        return jobs.once("inbox-cleanup", Duration.ofHours(1), () -> removeApplied()
                .chain(() -> deadLetters.removeResolved(Instant.now().minus(config.retention()))));
    }

    /** Removes the ids of events applied before the retention; answers how many went. */
    public Uni<Integer> removeApplied() {
        Instant before = Instant.now().minus(config.retention());
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("delete from {h-schema}inbox where applied_at < :before")
                .setParameter("before", before)
                .executeUpdate()))
                .invoke(removed -> {
                    if (removed > 0) {
                        LOG.infof("inbox: forgot %d events applied before %s", removed, before);
                    }
                });
    }
}
