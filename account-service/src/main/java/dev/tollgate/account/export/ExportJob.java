package dev.tollgate.account.export;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A user's export: gathered from every service, kept as a ZIP until its link expires. */
@Entity
@Table(name = "export_jobs")
public class ExportJob extends PanacheEntityBase {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String EXPIRED = "expired";

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(nullable = false)
    public String status;

    /** The services gathered so far, comma-separated. */
    @Column(name = "services_done", nullable = false)
    public String servicesDone;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public Instant nextAttemptAt;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "ready_at")
    public Instant readyAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    /** The ZIP, until the link expires. */
    public byte[] archive;

    @Column(name = "archive_bytes")
    public Long archiveBytes;

    @Column(name = "archive_sha256")
    public String archiveSha256;
}
