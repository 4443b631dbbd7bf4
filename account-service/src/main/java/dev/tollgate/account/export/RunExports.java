package dev.tollgate.account.export;

import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.export.repository.ExportRepository;
import dev.tollgate.account.internal.Contacts;
import dev.tollgate.account.internal.InternalServices;
import dev.tollgate.account.notification.Notify;
import dev.tollgate.account.profile.Profile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Gathers waiting exports: takes a job under a lease (another replica skips it; a replica that dies leaves it due
 * again when the lease ends), asks each service's internal export endpoint with the service token, recording
 * progress service by service, and stores the ZIP with its expiry. A service that fails makes the job wait and
 * start over, backing off; after {@code max-attempts} the job fails naming the service. Expired archives are
 * dropped on each pass.
 */
@ApplicationScoped
public class RunExports {

    static final List<String> SERVICES = List.of("auth", "billing", "generation", "metering", "account");
    private static final Logger LOG = Logger.getLogger(RunExports.class);
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final Contacts contacts;
    private final Notify notify;
    private final ExportRepository exports;
    private final InternalServices services;
    private final AccountConfig config;
    private final MeterRegistry registry;

    public RunExports(ExportRepository exports, InternalServices services, AccountConfig config, MeterRegistry registry,
            Contacts contacts, Notify notify) {
        this.notify = notify;
        this.contacts = contacts;
        this.exports = exports;
        this.services = services;
        this.config = config;
        this.registry = registry;
    }

    @Scheduled(identity = "exports", every = "${tollgate.account.export.run-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return Panache.withTransaction(() -> exports.expire(Instant.now()))
                .chain(() -> Panache.withTransaction(() -> exports.lockDue(Instant.now(), 2).invoke(due -> due.forEach(job -> {
                    job.status = ExportJob.RUNNING;
                    job.servicesDone = "";
                    job.nextAttemptAt = Instant.now().plus(LEASE);
                }))))
                .chain(taken -> Multi.createFrom().iterable(taken).onItem()
                        .transformToUniAndConcatenate(job -> gather(job.id, job.userId)).collect().asList())
                .onFailure().invoke(e -> LOG.warnf("exports: a pass failed, tried again on the next: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> gather(UUID jobId, UUID userId) {
        Map<String, JsonObject> files = new LinkedHashMap<>();
        long started = System.nanoTime();
        return fetch(jobId, "auth", url("auth") + "/auth/internal/users/" + userId + "/export", files)
                // billing asks auth itself which tenants the user runs
                .chain(() -> fetch(jobId, "billing", url("billing") + "/billing/internal/users/" + userId + "/export",
                        files))
                .chain(() -> fetch(jobId, "generation", url("generation") + "/generations/internal/users/" + userId
                        + "/export", files))
                .chain(() -> fetch(jobId, "metering", url("metering") + "/usage/internal/users/" + userId + "/export", files))
                .chain(() -> own(userId)).invoke(account -> files.put("account", account))
                .chain(() -> progress(jobId, "account"))
                // the address first, so that the mail is recorded with the export it announces; auth-service away
                // fails this attempt like any part of the export, and the next one sends both
                .chain(() -> contacts.of(userId).onFailure().transform(e -> new IllegalStateException(
                        "auth-service could not give the address for the export-ready mail: " + e.getMessage(), e)))
                .chain(contact -> Panache.withTransaction(() -> exports.findById(jobId).call(job -> {
                    Instant now = Instant.now();
                    ExportArchive.Built zip = ExportArchive.build(job.id, job.userId, now, files);
                    job.archive = zip.bytes();
                    job.archiveBytes = (long) zip.bytes().length;
                    job.archiveSha256 = zip.sha256();
                    job.status = ExportJob.READY;
                    job.readyAt = now;
                    job.expiresAt = now.plus(config.export().linkTtl());
                    job.lastError = null;
                    registry.counter("tollgate.account.exports", "outcome", "ready").increment();
                    registry.timer("tollgate.account.export.duration").record(Duration.ofNanos(System.nanoTime() - started));
                    LOG.infof("audit: export %s of user %s is ready (%d bytes) until %s", job.id, job.userId,
                            job.archiveBytes, job.expiresAt);
                    return contact == null ? Uni.createFrom().voidItem()
                            : notify.once("export-ready:" + jobId, "export-ready", userId, contact.email(),
                                    "Your Tollgate export is ready", "The export of your data you asked for is ready "
                                            + "until " + job.expiresAt + ". Download it, signed in, from /account/exports/"
                                            + jobId + "/download.");
                })))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> failed(jobId, e));
    }

    /** GETs one service's part; anything but 200 fails the attempt naming the service. */
    private Uni<JsonObject> fetch(UUID jobId, String service, String url, Map<String, JsonObject> files) {
        return services.get(url).map(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(service + "-service answered " + response.statusCode());
            }
            JsonObject part = response.bodyAsJsonObject();
            files.put(service, part);
            return part;
        }).onFailure(e -> !(e instanceof IllegalStateException))
                .transform(e -> new IllegalStateException(service + "-service could not be reached: " + e.getMessage(), e))
                .call(() -> progress(jobId, service));
    }

    private Uni<Void> progress(UUID jobId, String service) {
        return Panache
                .withTransaction(() -> exports.findById(jobId).invoke(
                        job -> job.servicesDone = job.servicesDone.isEmpty() ? service : job.servicesDone + "," + service))
                .replaceWithVoid();
    }

    /** What account-service itself holds: the profile. */
    private Uni<JsonObject> own(UUID userId) {
        return Panache.withSession(() -> Profile.<Profile> findById(userId)).map(profile -> new JsonObject()
                .put("profile", profile == null ? null
                        : new JsonObject()
                                .put("displayName", profile.displayName)
                                .put("locale", profile.locale)
                                .put("timeZone", profile.timeZone)
                                .put("marketingConsent", profile.marketingConsent)
                                .put("marketingConsentAt",
                                        profile.marketingConsentAt == null ? null : profile.marketingConsentAt.toString())
                                .put("createdAt", profile.createdAt.toString())
                                .put("updatedAt", profile.updatedAt.toString())));
    }

    private Uni<Void> failed(UUID jobId, Throwable cause) {
        return Panache.withTransaction(() -> exports.findById(jobId).invoke(job -> {
            job.attempts++;
            job.lastError = cause.getMessage();
            if (job.attempts >= config.export().maxAttempts()) {
                job.status = ExportJob.FAILED;
                registry.counter("tollgate.account.exports", "outcome", "failed").increment();
                LOG.errorf("alert: export %s of user %s failed for good after %d attempts: %s", job.id, job.userId,
                        job.attempts, job.lastError);
            } else {
                job.status = ExportJob.QUEUED;
                job.nextAttemptAt = Instant.now().plusSeconds(Math.min(300, 2L << job.attempts));
                LOG.warnf("exports: export %s waits (attempt %d): %s", job.id, job.attempts, job.lastError);
            }
        })).replaceWithVoid().onFailure().recoverWithNull().replaceWithVoid();
    }

    private String url(String service) {
        String url = "auth".equals(service) ? config.serviceUrls().getOrDefault("auth", config.authUrl())
                : config.serviceUrls().get(service);
        if (url == null) {
            throw new IllegalStateException("tollgate.account.service-urls." + service + " is not set");
        }
        return url.replaceAll("/+$", "");
    }
}
