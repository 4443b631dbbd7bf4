package dev.tollgate.auth.token;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A session: one sign-in on one device, carried by a chain of refresh tokens that replace each other. */
@Entity
// only the columns a transaction changed are written: a refresh touching lastUsedAt never writes over a revocation
@org.hibernate.annotations.DynamicUpdate
@Table(name = "refresh_families")
public class RefreshFamily extends PanacheEntityBase {

    public static final String REVOKED_BY_REUSE = "reuse";
    public static final String REVOKED_BY_LOGOUT = "logout";
    public static final String REVOKED_BY_USER = "ended-by-user";

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_used_at", nullable = false)
    public Instant lastUsedAt;

    @Column(name = "user_agent")
    public String userAgent;

    public String ip;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "revoked_reason")
    public String revokedReason;
}
