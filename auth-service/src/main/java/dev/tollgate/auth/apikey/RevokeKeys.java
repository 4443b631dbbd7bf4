package dev.tollgate.auth.apikey;

import dev.tollgate.auth.apikey.repository.ApiKeyRepository;
import dev.tollgate.auth.tenant.MemberKeys;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Revokes keys that end with something else: a member who leaves a tenant, or is removed, loses every key they had
 * there; a managing key takes the keys it created with it. Each is revoked and announced on {@code apikey.revoked}
 * in the caller's transaction.
 */
@ApplicationScoped
public class RevokeKeys implements MemberKeys {

    private static final Logger LOG = Logger.getLogger(RevokeKeys.class);

    private final ApiKeyRepository keys;
    private final Outbox outbox;
    private final MeterRegistry registry;

    public RevokeKeys(ApiKeyRepository keys, Outbox outbox, MeterRegistry registry) {
        this.keys = keys;
        this.outbox = outbox;
        this.registry = registry;
    }

    @Override
    public Uni<Integer> revokeAll(UUID tenantId, UUID userId, String reason) {
        return keys.listOfUserInTenant(tenantId, userId).chain(found -> revoke(found, reason));
    }

    /** The keys a managing key created. */
    Uni<Integer> revokeIssuedBy(ApiKey creator) {
        return keys.listIssuedBy(creator.id).chain(found -> revoke(found, "creator-revoked"));
    }

    /** Revokes those of {@code found} still active; answers how many. */
    private Uni<Integer> revoke(List<ApiKey> found, String reason) {
        Instant now = Instant.now();
        List<ApiKey> active = found.stream().filter(key -> key.revokedAt == null || key.revokedAt.isAfter(now)).toList();
        if (active.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        registry.counter("tollgate.auth.api_keys.revoked", "reason", reason).increment(active.size());
        // one after the other: a reactive session takes one statement at a time
        return Multi.createFrom().iterable(active).onItem().transformToUniAndConcatenate(key -> {
            key.revokedAt = now;
            LOG.infof("audit: API key %s (%s) of user %s revoked in tenant %s: %s", key.id, key.prefix, key.userId,
                    key.tenantId, reason);
            return outbox.append(ApiKeyRevoked.of(key.tenantId, key.id, key.prefix));
        }).collect().last().replaceWith(active.size());
    }
}
