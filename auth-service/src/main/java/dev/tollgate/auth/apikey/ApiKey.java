package dev.tollgate.auth.apikey;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** A tenant's API key: found by its public prefix, proven by the hash of its secret. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false, unique = true)
    public String prefix;

    @Column(name = "secret_hash", nullable = false)
    public String secretHash;

    /** Space-separated. */
    @Column(nullable = false)
    public String scopes;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "replaced_by")
    public UUID replacedBy;

    /** The API key (with {@code keys:manage}) that created this one; null for a key a person created. */
    @Column(name = "created_by_key")
    public UUID createdByKey;

    public List<String> scopeList() {
        return scopes.isBlank() ? List.of() : Arrays.asList(scopes.split(" "));
    }

    /** Whether the key works at {@code now}: not revoked (or still in its rotation overlap) and not expired. */
    public boolean usableAt(Instant now) {
        boolean revoked = revokedAt != null && !revokedAt.isAfter(now);
        boolean expired = expiresAt != null && !expiresAt.isAfter(now);
        return !revoked && !expired;
    }
}
