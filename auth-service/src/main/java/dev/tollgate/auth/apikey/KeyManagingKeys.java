package dev.tollgate.auth.apikey;

import dev.tollgate.auth.apikey.repository.ApiKeyRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.KeyLimits;
import dev.tollgate.common.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a key with {@code keys:manage} may do, so that a SaaS can issue keys to its own customers by program without
 * the managing key becoming a way up: it acts on its own user's keys only, every key it creates, lists, rotates or
 * revokes has no scope the managing key lacks, none it creates or rotates outlives it, and none it creates may manage
 * keys in turn (revoking it revokes what it created). A session is not limited here (its role is).
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
        return expiry(caller, scopes, requested, false);
    }

    /**
     * The expiry a rotated key's successor gets: as for a new key, except that a managing key may rotate a key that
     * manages keys too (itself included), since the successor stands for a key that already had that scope.
     */
    public Uni<Instant> expiryOfSuccessor(Caller caller, List<String> scopes, Instant requested) {
        return expiry(caller, scopes, requested, true);
    }

    private Uni<Instant> expiry(Caller caller, List<String> scopes, Instant requested, boolean successor) {
        if (!caller.isApiKey()) {
            return Uni.createFrom().item(requested);
        }
        requireWithin(caller, scopes);
        if (!successor && scopes.contains(Scope.KEYS_MANAGE.value())) {
            throw Problems.builder(Response.Status.FORBIDDEN, "scope-exceeds-key", "Scope Exceeds The Key")
                    .withDetail("a key created by an API key cannot manage keys itself; a person creates those")
                    .with("scopes", List.of(Scope.KEYS_MANAGE.value()))
                    .build();
        }
        return keys.findById(caller.apiKeyId()).map(own -> {
            if (own == null || !own.tenantId.equals(caller.tenantId())) {
                throw Problems.forbidden("the API key this credential stands for no longer exists");
            }
            Instant limit = earliest(own.expiresAt, own.revokedAt);
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

    /**
     * The controls a key created or changed by {@code caller} gets: {@code asked} for a session; for a managing key,
     * {@code asked} within its own controls (a control it has and {@code asked} lacks is inherited), so that the keys
     * it hands out never exceed it. 403 naming the controls that would.
     */
    public Uni<KeyLimits> limitsWithin(Caller caller, KeyLimits asked) {
        if (!caller.isApiKey()) {
            return Uni.createFrom().item(asked);
        }
        return keys.findById(caller.apiKeyId()).map(own -> {
            if (own == null || !own.tenantId.equals(caller.tenantId())) {
                throw Problems.forbidden("the API key this credential stands for no longer exists");
            }
            List<String> beyond = new java.util.ArrayList<>();
            KeyLimits bounded = asked.within(own.limits(), beyond);
            if (!beyond.isEmpty()) {
                throw Problems.builder(Response.Status.FORBIDDEN, "limits-exceed-key", "Limits Exceed The Key")
                        .withDetail("an API key may give the keys it manages no more than its own controls allow; "
                                + "over them: " + beyond)
                        .with("limits", beyond)
                        .build();
            }
            return bounded;
        });
    }

    /**
     * A managing key may raise the controls (and move the expiry) only of the keys it created, whose use counts
     * against its own controls; any other key of its user it may only narrow, or it could lift a key's budget past
     * what the person who made it set. 403 otherwise.
     */
    public void requireNarrowing(Caller caller, ApiKey target, KeyLimits limits, Instant expiresAt) {
        if (!caller.isApiKey() || caller.apiKeyId().equals(target.createdByKey)) {
            return;
        }
        List<String> beyond = new java.util.ArrayList<>();
        if (!limits.within(target.limits(), beyond).equals(limits)) {
            beyond.add("limits (a control the key has may not be removed)");
        }
        if (target.expiresAt != null && (expiresAt == null || expiresAt.isAfter(target.expiresAt))) {
            beyond.add("expiresAt");
        }
        if (!beyond.isEmpty()) {
            throw Problems.builder(Response.Status.FORBIDDEN, "limits-exceed-key", "Limits Exceed The Key")
                    .withDetail("an API key may only narrow the controls of a key it did not create; over them: "
                            + beyond)
                    .with("limits", beyond)
                    .build();
        }
    }

    /**
     * The key recorded as the creator of a key {@code caller} creates: none for a person; for a managing key, the
     * newest key of its rotation line (a key made during the old one's overlap hangs on its successor, as the keys it
     * made before do).
     */
    public Uni<UUID> creatorOf(Caller caller) {
        if (!caller.isApiKey()) {
            return Uni.createFrom().nullItem();
        }
        return keys.findInTenantForUpdate(caller.apiKeyId(), caller.tenantId())
                .map(own -> own != null && own.replacedBy != null ? own.replacedBy : caller.apiKeyId());
    }

    /**
     * A managing key rotates itself, the keys it created, or a key of its user whose controls are within its own:
     * the successor's secret is handed to it, so rotating a key with more would hand it more than it has. 403 else.
     */
    public Uni<Void> requireMayRotate(Caller caller, ApiKey target) {
        if (!caller.isApiKey() || target.id.equals(caller.apiKeyId()) || caller.apiKeyId().equals(target.createdByKey)) {
            return Uni.createFrom().voidItem();
        }
        return keys.findById(caller.apiKeyId()).map(own -> {
            List<String> beyond = new java.util.ArrayList<>();
            KeyLimits limits = target.limits();
            if (own == null || !limits.within(own.limits(), beyond).equals(limits) || !beyond.isEmpty()) {
                throw Problems.builder(Response.Status.FORBIDDEN, "limits-exceed-key", "Limits Exceed The Key")
                        .withDetail("an API key may rotate only itself, the keys it created, or keys whose controls are "
                                + "within its own; " + (beyond.isEmpty() ? "this key lacks a control it has"
                                        : "over them: " + beyond))
                        .with("limits", beyond)
                        .build();
            }
            return null;
        }).replaceWithVoid();
    }

    /**
     * Refuses a managing key that would rotate or revoke a key of another user, or one with a scope it lacks itself.
     * Answers whether the caller may see the key at all (a managing key does not see those).
     */
    public boolean mayManage(Caller caller, ApiKey target) {
        return !caller.isApiKey() || (target.userId.equals(caller.userId())
                && caller.scopes().containsAll(target.scopeList()));
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
