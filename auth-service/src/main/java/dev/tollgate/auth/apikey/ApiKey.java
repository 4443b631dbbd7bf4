package dev.tollgate.auth.apikey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.security.KeyLimits;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/** A tenant's API key: found by its public prefix, proven by the hash of its secret. */
@Entity
@Table(name = "api_keys")
@DynamicUpdate // a flush writes the columns it changed: a verification's lastUsedAt never writes back older controls
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

    /** JSON: metric to units per billing period; null: no budget of its own. */
    @Column(name = "monthly_budget")
    public String monthlyBudget;

    @Column(name = "requests_per_minute")
    public Long requestsPerMinute;

    @Column(name = "tokens_per_minute")
    public Long tokensPerMinute;

    /** Space-separated; null: every model the plan allows. */
    @Column(name = "allowed_models")
    public String allowedModels;

    /** The key a rotation's line began with (null: this one): its controls count the whole line's use. */
    @Column(name = "lineage_id")
    public UUID lineageId;

    /** Whose counters this key's own controls count in: the first key of its rotation line. */
    public UUID lineage() {
        return lineageId != null ? lineageId : id;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Long>> BUDGET = new TypeReference<>() {
    };

    /** The key's own controls. */
    public KeyLimits limits() {
        try {
            return new KeyLimits(monthlyBudget == null ? Map.of() : JSON.readValue(monthlyBudget, BUDGET),
                    requestsPerMinute, tokensPerMinute,
                    allowedModels == null || allowedModels.isBlank() ? List.of() : Arrays.asList(allowedModels.split(" ")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("API key " + id + " holds an unreadable budget", e);
        }
    }

    public void limit(KeyLimits limits) {
        try {
            monthlyBudget = limits.monthlyBudget().isEmpty() ? null : JSON.writeValueAsString(limits.monthlyBudget());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        requestsPerMinute = limits.requestsPerMinute();
        tokensPerMinute = limits.tokensPerMinute();
        allowedModels = limits.models().isEmpty() ? null : String.join(" ", limits.models());
    }

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
