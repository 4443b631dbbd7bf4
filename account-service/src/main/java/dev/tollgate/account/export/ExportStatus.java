package dev.tollgate.account.export;

import dev.tollgate.account.export.repository.ExportRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** An export's progress and its download, for the user who asked for it only (anyone else: 404). */
@ApplicationScoped
public class ExportStatus {

    /** One service's part: {@code done} or {@code pending}. */
    public record ServicePart(String service, String status) {
    }

    /** {@code downloadUrl} while the archive can be downloaded. */
    public record ExportView(UUID id, String status, Instant requestedAt, Instant readyAt, Instant expiresAt,
            List<ServicePart> services, String downloadUrl, Long bytes, String sha256,
            String error) {
    }

    /** A ready archive. */
    public record Archive(UUID id, byte[] bytes, String sha256) {
    }

    private final ExportRepository exports;

    public ExportStatus(ExportRepository exports) {
        this.exports = exports;
    }

    public Uni<ExportView> of(Caller caller, UUID id) {
        return Panache.withSession(() -> owned(caller, id)).map(job -> {
            Set<String> done = job.status.equals(ExportJob.READY) || job.status.equals(ExportJob.EXPIRED)
                    ? Set.copyOf(RunExports.SERVICES)
                    : Arrays.stream(job.servicesDone.split(",")).filter(s -> !s.isBlank()).collect(Collectors.toSet());
            boolean downloadable = job.status.equals(ExportJob.READY) && Instant.now().isBefore(job.expiresAt);
            return new ExportView(job.id, downloadable || !job.status.equals(ExportJob.READY) ? job.status : ExportJob.EXPIRED,
                    job.requestedAt, job.readyAt, job.expiresAt,
                    RunExports.SERVICES.stream().map(s -> new ServicePart(s, done.contains(s) ? "done" : "pending")).toList(),
                    downloadable ? "/account/exports/" + job.id + "/download" : null,
                    job.archiveBytes, job.archiveSha256, job.status.equals(ExportJob.FAILED) ? job.lastError : null);
        });
    }

    /** The archive; 409 while it is gathered, 410 once its link expired. */
    public Uni<Archive> download(Caller caller, UUID id) {
        return Panache.withSession(() -> owned(caller, id)).map(job -> {
            if (job.status.equals(ExportJob.EXPIRED)
                    || job.status.equals(ExportJob.READY) && !Instant.now().isBefore(job.expiresAt)) {
                throw Problems.builder(Response.Status.GONE, "export-expired", "Export Expired")
                        .withDetail("the export's link expired at " + job.expiresAt + "; ask for a new export").build();
            }
            if (!job.status.equals(ExportJob.READY)) {
                throw Problems.builder(Response.Status.CONFLICT, "export-not-ready", "Export Not Ready")
                        .withDetail("the export is " + job.status).build();
            }
            return new Archive(job.id, job.archive, job.archiveSha256);
        });
    }

    private Uni<ExportJob> owned(Caller caller, UUID id) {
        return exports.findById(id).map(job -> {
            if (job == null || !job.userId.equals(caller.userId())) {
                throw Problems.notFound("export", id);
            }
            return job;
        });
    }
}
