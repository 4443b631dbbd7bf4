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
 * Keys end with membership: a member who leaves a tenant, or is removed, loses every key they had there, each
 * revoked and announced on {@code apikey.revoked} in the transaction that ends the membership.
 */
@ApplicationScoped
public class RevokeMemberKeys implements MemberKeys {

    private static final Logger LOG = Logger.getLogger(RevokeMemberKeys.class);

    private final ApiKeyRepository keys;
    private final Outbox outbox;
    private final MeterRegistry registry;

    public RevokeMemberKeys(ApiKeyRepository keys, Outbox outbox, MeterRegistry registry) {
        this.keys = keys;
        this.outbox = outbox;
        this.registry = registry;
    }

    @Override
    public Uni<Integer> revokeAll(UUID tenantId, UUID userId, String reason) {
        Instant now = Instant.now();
        return keys.listOfUserInTenant(tenantId, userId).chain(found -> {
            List<ApiKey> active = found.stream().filter(key -> key.revokedAt == null || key.revokedAt.isAfter(now))
                    .toList();
            if (active.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            registry.counter("tollgate.auth.api_keys.revoked", "reason", reason).increment(active.size());
            // one after the other: a reactive session takes one statement at a time
            return Multi.createFrom().iterable(active).onItem().transformToUniAndConcatenate(key -> {
                key.revokedAt = now;
                LOG.infof("audit: API key %s (%s) of user %s revoked in tenant %s: %s", key.id, key.prefix, userId,
                        tenantId, reason);
                return outbox.append(ApiKeyRevoked.of(tenantId, key.id, key.prefix));
            }).collect().last().replaceWith(active.size());
        });
    }
}
