package dev.tollgate.auth.apikey;

import dev.tollgate.auth.apikey.repository.ApiKeyRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;

/**
 * What a key with {@code keys:manage} may do to its tenant's keys, so that a SaaS can issue keys to its own
 * customers by program without the managing key becoming a way up: every key it creates, rotates or revokes has no
 * scope the managing key lacks, and none it creates outlives it. A session is not limited here (its role is).
 */
@ApplicationScoped
public class KeyManagingKeys {

    private final ApiKeyRepository keys;

    public KeyManagingKeys(ApiKeyRepository keys) {
        this.keys = keys;
    }

    /**
     * The expiry a new key gets: {@code requested} for a session; for a managing key, {@code requested} if it ends
     * no later than the managing key (which it inherits when none is asked for), after checking the scopes.
     */
    public Uni<Instant> expiryOfNew(Caller caller, List<String> scopes, Instant requested) {
        if (!caller.isApiKey()) {
            return Uni.createFrom().item(requested);
        }
        requireWithin(caller, scopes);
        return keys.findById(caller.apiKeyId()).map(own -> {
            Instant limit = own == null ? null : earliest(own.expiresAt, own.revokedAt);
            if (limit == null) {
                return requested;
            }
            if (requested == null) {
                return limit;
            }
            if (requested.isAfter(limit)) {
                throw Problems.builder(Response.Status.FORBIDDEN, "key-outlives-creator", "Key Outlives Its Creator")
                        .withDetail("a key created by an API key must end no later than that key (" + limit + ")")
                        .build();
            }
            return requested;
        });
    }

    /** Refuses a managing key that would rotate or revoke a key with a scope it lacks itself. */
    public void requireMayManage(Caller caller, ApiKey target) {
        if (caller.isApiKey()) {
            requireWithin(caller, target.scopeList());
        }
    }

    private static void requireWithin(Caller caller, List<String> scopes) {
        List<String> beyond = scopes.stream().filter(scope -> !caller.scopes().contains(scope)).toList();
        if (!beyond.isEmpty()) {
            throw Problems.builder(Response.Status.FORBIDDEN, "scope-exceeds-key", "Scope Exceeds The Key")
                    .withDetail("an API key may manage only keys within its own scopes; it lacks " + beyond)
                    .with("scopes", beyond)
                    .build();
        }
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
