package dev.tollgate.auth.apikey;

import dev.tollgate.common.security.KeyLimits;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key as its tenant sees it, with its own controls; the secret is shown once, at creation, and never again.
 */
public record ApiKeyView(UUID id, String name, String prefix, List<String> scopes, UUID userId, Instant createdAt,
        Instant expiresAt, Instant lastUsedAt, Instant revokedAt, KeyLimits limits) {

    static ApiKeyView of(ApiKey key) {
        return new ApiKeyView(key.id, key.name, key.prefix, key.scopeList(), key.userId, key.createdAt, key.expiresAt,
                key.lastUsedAt, key.revokedAt, key.limits());
    }
}
