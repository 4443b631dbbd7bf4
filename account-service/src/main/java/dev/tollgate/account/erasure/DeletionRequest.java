package dev.tollgate.account.erasure;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A user's request to be erased, announced as {@code account.deleted}; complete when every service receipted it. */
@Entity
@Table(name = "deletion_requests")
public class DeletionRequest extends PanacheEntityBase {

    /** The deletion id every service's receipt names. */
    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    /** Whether the tenant goes too (the user was its only owner). */
    @Column(name = "tenant_deleted", nullable = false)
    public boolean tenantDeleted;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "deadline_at", nullable = false)
    public Instant deadlineAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    @Column(name = "overdue_alerted_at")
    public Instant overdueAlertedAt;

    /** Whether auth-service fixed the request's tenants (false: recorded by a release that did not). */
    @Column(nullable = false)
    public boolean scoped;

    /** How many times the request was sent again to the services that had not receipted it. */
    @Column(nullable = false)
    public int redrives;

    /** When it was last sent again; null if never. */
    @Column(name = "redriven_at")
    public Instant redrivenAt;

    /** Where the completion mail goes, captured before auth-service forgets it; null once the mail is sent. */
    @Column(name = "contact_email")
    public String contactEmail;
}
