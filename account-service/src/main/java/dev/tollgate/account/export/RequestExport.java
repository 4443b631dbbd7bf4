package dev.tollgate.account.export;

import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.ErasedAccounts;
import dev.tollgate.account.export.repository.ExportRepository;
import dev.tollgate.common.audit.AuditTrail;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Starts a user's export (GDPR Art. 15/20): one at a time (asking again while one is gathered answers that one),
 * at most {@code tollgate.account.export.max-per-day} a day (429 with {@code Retry-After}). The export is
 * gathered in the background by {@link RunExports}.
 */
@ApplicationScoped
public class RequestExport {

    private static final Logger LOG = Logger.getLogger(RequestExport.class);

    /** The export asked for; {@code existing} when one still being gathered is answered. */
    public record ExportRequested(UUID exportId, String status, Instant requestedAt, boolean existing) {
    }

    private final AuditTrail audit;
    private final ExportRepository exports;
    private final ErasedAccounts erased;
    private final AccountConfig config;
    private final MeterRegistry registry;

    public RequestExport(ExportRepository exports, AccountConfig config, MeterRegistry registry, AuditTrail audit,
            ErasedAccounts erased) {
        this.erased = erased;
        this.audit = audit;
        this.exports = exports;
        this.config = config;
        this.registry = registry;
    }

    public Uni<ExportRequested> request(Caller caller) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> erased.requireActive(caller.userId())
                .chain(() -> exports.inProgress(caller.userId())).chain(running -> {
                    if (running != null) {
                        return Uni.createFrom()
                                .item(new ExportRequested(running.id, running.status, running.requestedAt, true));
                    }
                    return exports.requestedSince(caller.userId(), now.minus(Duration.ofDays(1))).chain(recent -> {
                        if (recent.size() >= config.export().maxPerDay()) {
                            long wait = Math.max(1, Duration.between(now, recent.get(0).plus(Duration.ofDays(1))).toSeconds());
                            registry.counter("tollgate.account.exports", "outcome", "rate-limited").increment();
                            throw Problems.builder(jakarta.ws.rs.core.Response.Status.TOO_MANY_REQUESTS, "export-rate-limited",
                                    "Export Rate Limited")
                                    .withDetail("at most " + config.export().maxPerDay() + " exports a day; the next one in "
                                            + wait + " s")
                                    .withHeader("Retry-After", wait)
                                    .build();
                        }
                        ExportJob job = new ExportJob();
                        job.id = UUID.randomUUID();
                        job.userId = caller.userId();
                        job.tenantId = caller.tenantId();
                        job.status = ExportJob.QUEUED;
                        job.servicesDone = "";
                        job.requestedAt = now;
                        job.nextAttemptAt = now;
                        return exports.persist(job)
                                .call(saved -> audit.record(caller.tenantId(), "account.export-requested",
                                        caller.userId().toString(), caller.userId(), null,
                                        Map.of("exportId", saved.id.toString())))
                                .map(saved -> {
                                    registry.counter("tollgate.account.exports", "outcome", "requested").increment();
                                    LOG.infof("audit: user %s asked for an export (%s)", caller.userId(), saved.id);
                                    return new ExportRequested(saved.id, saved.status, saved.requestedAt, false);
                                });
                    });
                })).onFailure(RequestExport::lostTheRace)
                .recoverWithUni(() -> Panache.withSession(() -> exports.inProgress(caller.userId()))
                        .map(winner -> new ExportRequested(winner.id, winner.status,
                                winner.requestedAt, true)));
    }

    /** A second export of the user inserted at the same moment: the one-in-progress index refused it. */
    private static boolean lostTheRace(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (String.valueOf(cause.getMessage()).contains("export_jobs_one_in_progress")) {
                return true;
            }
        }
        return false;
    }
}
