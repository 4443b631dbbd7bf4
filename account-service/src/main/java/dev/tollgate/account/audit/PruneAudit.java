package dev.tollgate.account.audit;

import dev.tollgate.account.audit.repository.AuditRepository;
import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.common.schedule.JobRuns;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/** Deletes audit entries older than {@code tollgate.account.audit.retention}, once a day (by one replica). */
@ApplicationScoped
public class PruneAudit {

    private static final Logger LOG = Logger.getLogger(PruneAudit.class);

    private final AuditRepository log;
    private final AccountConfig config;
    private final JobRuns jobs;

    public PruneAudit(AuditRepository log, AccountConfig config, JobRuns jobs) {
        this.log = log;
        this.config = config;
        this.jobs = jobs;
    }

    @Scheduled(identity = "audit-retention", every = "24h", delayed = "10m")
    Uni<Void> daily() {
        return jobs.once("audit-retention", Duration.ofDays(1), this::prune)
                .onFailure().invoke(e -> LOG.warnf("audit: pruning failed, tried again tomorrow: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    /** Deletes what is past the retention; answers how many entries went. */
    public Uni<Integer> prune() {
        Instant before = Instant.now().minus(config.audit().retention());
        return Panache.withTransaction(() -> log.prune(before))
                .invoke(pruned -> LOG.infof("audit: %d entries older than %s deleted (retention %s)", pruned, before,
                        config.audit().retention()));
    }
}
