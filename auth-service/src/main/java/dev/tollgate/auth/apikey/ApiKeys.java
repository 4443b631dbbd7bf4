package dev.tollgate.auth.apikey;

import dev.tollgate.auth.apikey.repository.ApiKeyRepository;
import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.tenant.TenantAccess;
import dev.tollgate.auth.tenant.repository.MembershipRepository;
import dev.tollgate.common.audit.AuditTrail;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.ApiKeyChanged;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.KeyLimits;
import dev.tollgate.common.security.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A tenant's API keys: created by a member with a subset of the allowed scopes ({@link Scope}, narrowed by
 * configuration) and optionally controls of their own ({@link KeyLimits}, changeable later), shown once, listed without their
 * secret, rotated with an overlap, revoked at once (announced on
 * {@code apikey.revoked} so that caches drop them). A member manages their own keys; owners and admins manage all
 * of the tenant's; a key with {@code keys:manage} acts for its user within its own scopes and life
 * ({@link KeyManagingKeys}).
 */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final AuditTrail audit;
    private final ApiKeyRepository keys;
    private final MembershipRepository memberships;
    private final Outbox outbox;
    private final AuthConfig config;
    private final MeterRegistry registry;
    private final KeyManagingKeys managingKeys;
    private final RevokeKeys revokeKeys;

    public ApiKeys(ApiKeyRepository keys, MembershipRepository memberships, Outbox outbox, AuthConfig config,
            MeterRegistry registry, AuditTrail audit, KeyManagingKeys managingKeys, RevokeKeys revokeKeys) {
        this.managingKeys = managingKeys;
        this.revokeKeys = revokeKeys;
        this.audit = audit;
        this.keys = keys;
        this.memberships = memberships;
        this.outbox = outbox;
        this.config = config;
        this.registry = registry;
    }

    /**
     * Refuses to start when {@code tollgate.auth.api-key.scopes} names a scope outside the catalogue in code: the
     * configuration may only narrow what keys can be given.
     */
    void checkScopes(@Observes StartupEvent start) {
        List<String> unknown = config.apiKey().scopes().stream().filter(scope -> Scope.of(scope).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("tollgate.auth.api-key.scopes names " + unknown + ", which no endpoint "
                    + "knows; the scopes are " + Arrays.toString(Scope.values()));
        }
    }

    /** A key with its secret, answered once. */
    public record Issued(ApiKeyView key, String secret, Instant previousKeyValidUntil) {
    }

    /**
     * A presented key that works: whose it is, what it may do, its own controls (counted under {@code lineageId},
     * the first key of its rotation line), those of the key that created it (a key with {@code keys:manage}, whose
     * controls bound all it created together; null for a key a person created), and until when a cache may trust it.
     */
    public record VerifiedKey(UUID keyId, UUID tenantId, UUID userId, List<String> scopes, Instant validUntil,
            UUID lineageId, KeyLimits limits, UUID creatorKeyId, UUID creatorLineageId, KeyLimits creatorLimits) {
    }

    @WithTransaction
    public Uni<Issued> create(Caller caller, String name, List<String> scopes, Instant expiresAt, KeyLimits asked) {
        KeyLimits limits = asked == null ? KeyLimits.NONE : asked;
        if (!limits.problems().isEmpty()) {
            return Uni.createFrom().failure(invalidLimits(limits.problems()));
        }
        List<String> unknown = scopes.stream()
                .filter(scope -> Scope.of(scope).isEmpty() || !config.apiKey().scopes().contains(scope)).toList();
        if (!unknown.isEmpty()) {
            return Uni.createFrom().failure(Problems.badRequest("unknown-scope", "Unknown Scope",
                    "unknown scopes " + unknown + "; allowed: " + config.apiKey().scopes()));
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            return Uni.createFrom().failure(Problems.badRequest("expiry-in-the-past", "Expiry In The Past",
                    "expiresAt must be in the future"));
        }
        return memberships.find(caller.tenantId(), caller.userId())
                .onItem().ifNull().failWith(() -> Problems.notFound("tenant", caller.tenantId()))
                // the managing key's row first, locked: a rotation of it waits, so the new key hangs on its newest key
                .chain(member -> managingKeys.creatorOf(caller))
                .chain(creator -> managingKeys.expiryOfNew(caller, scopes, expiresAt)
                        .chain(expiry -> managingKeys.limitsWithin(caller, limits).chain(bounded -> issue(
                                caller.tenantId(), caller.userId(), name.trim(), List.copyOf(new LinkedHashSet<>(scopes)),
                                expiry, creator, bounded, null))))
                .invoke(issued -> LOG.infof("audit: user %s created API key %s (%s) in tenant %s", caller.userId(),
                        issued.key().id(), issued.key().prefix(), caller.tenantId()))
                .call(issued -> audit.record(caller.tenantId(), "auth.api-key-created", caller.userId().toString(),
                        caller.userId(), null, Map.of("keyId", issued.key().id().toString(), "prefix",
                                issued.key().prefix(), "name", issued.key().name(), "limits",
                                issued.key().limits().toString(), "byApiKey", String.valueOf(caller.apiKeyId()))));
    }

    @WithSession
    public Uni<List<ApiKeyView>> list(Caller caller) {
        return manages(caller).chain(manager -> (manager && !caller.isApiKey()
                ? keys.listInTenant(caller.tenantId())
                : keys.listOfUserInTenant(caller.tenantId(), caller.userId()))
                .map(found -> found.stream().filter(key -> managingKeys.mayManage(caller, key)).map(ApiKeyView::of)
                        .toList()));
    }

    /** A new secret for the key; the old one keeps working for the configured overlap. */
    @WithTransaction
    public Uni<Issued> rotate(Caller caller, UUID id) {
        return owned(caller, id).chain(old -> {
            if (!old.usableAt(Instant.now()) || old.replacedBy != null) {
                return Uni.createFrom().failure(Problems.badRequest("api-key-not-active", "API Key Not Active",
                        "only an active key can be rotated"));
            }
            return managingKeys.requireMayRotate(caller, old)
                    .chain(() -> managingKeys.expiryOfSuccessor(caller, old.scopeList(), old.expiresAt))
                    .chain(expiry -> issue(old.tenantId, old.userId, old.name, old.scopeList(), expiry, old.createdByKey,
                            old.limits(), old.lineage()))
                    // the keys the old one issued now hang on its successor: revoking that revokes them
                    .call(issued -> keys.update("createdByKey = ?1 where createdByKey = ?2", issued.key().id(), old.id))
                    .call(issued -> audit.record(old.tenantId, "auth.api-key-rotated", caller.userId().toString(),
                            old.userId, null, Map.of("keyId", old.id.toString(), "newKeyId", issued.key().id().toString())))
                    .map(issued -> {
                        old.replacedBy = issued.key().id();
                        old.revokedAt = Instant.now().plus(config.apiKey().rotationOverlap());
                        LOG.infof("audit: user %s rotated API key %s to %s in tenant %s; the old key works until %s",
                                caller.userId(), old.id, issued.key().id(), old.tenantId, old.revokedAt);
                        return new Issued(issued.key(), issued.secret(), old.revokedAt);
                    });
        });
    }

    /**
     * Changes a key's own controls and, when asked, its expiry; the key goes on working. Announced on
     * {@code apikey.changed}, so that the gateway asks again at once. A managing key may only narrow them within its
     * own ({@link KeyManagingKeys#limitsWithin}).
     *
     * @param limits the new controls as a whole, or null to keep them
     * @param expiresAt a new expiry (in the future), or null to keep it
     */
    @WithTransaction
    public Uni<ApiKeyView> change(Caller caller, UUID id, KeyLimits limits, Instant expiresAt) {
        if (limits != null && !limits.problems().isEmpty()) {
            return Uni.createFrom().failure(invalidLimits(limits.problems()));
        }
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            return Uni.createFrom().failure(Problems.badRequest("expiry-in-the-past", "Expiry In The Past",
                    "expiresAt must be in the future"));
        }
        return owned(caller, id).chain(key -> {
            if (!key.usableAt(Instant.now()) || key.replacedBy != null) {
                return Uni.createFrom().failure(Problems.badRequest("api-key-not-active", "API Key Not Active",
                        "only an active key can be changed"));
            }
            Uni<Instant> expiry = expiresAt == null ? Uni.createFrom().item(key.expiresAt)
                    : managingKeys.expiryOfSuccessor(caller, key.scopeList(), expiresAt);
            return expiry.chain(newExpiry -> (limits == null ? Uni.createFrom().item(key.limits())
                    : managingKeys.limitsWithin(caller, limits)).chain(newLimits -> {
                        managingKeys.requireNarrowing(caller, key, newLimits, newExpiry);
                        KeyLimits before = key.limits();
                        if (before.equals(newLimits) && java.util.Objects.equals(key.expiresAt, newExpiry)) {
                            return Uni.createFrom().item(ApiKeyView.of(key)); // nothing to announce
                        }
                        key.expiresAt = newExpiry;
                        key.limit(newLimits);
                        LOG.infof("audit: user %s (API key %s) changed API key %s (%s) in tenant %s: limits %s, "
                                + "expires %s", caller.userId(), caller.apiKeyId(), key.id, key.prefix, key.tenantId,
                                newLimits, newExpiry);
                        // the line's other keys still working (the predecessor in its rotation overlap) follow
                        return keys.othersOfLineForUpdate(key.tenantId, key.lineage(), key.id)
                                .chain(line -> {
                                    List<ApiKey> following = new ArrayList<>();
                                    for (ApiKey other : line) {
                                        if (other.usableAt(Instant.now())) {
                                            other.limit(newLimits);
                                            following.add(other);
                                        }
                                    }
                                    return announce(following, key);
                                })
                                .call(() -> audit.record(key.tenantId, "auth.api-key-changed",
                                        caller.userId().toString(), key.userId, null, Map.of("keyId",
                                                key.id.toString(), "byApiKey", String.valueOf(caller.apiKeyId()),
                                                "limitsBefore", before.toString(), "limits", newLimits.toString(),
                                                "expiresAt", String.valueOf(newExpiry))))
                                .map(ignored -> ApiKeyView.of(key));
                    }));
        });
    }

    /**
     * An active key of {@code tenantId} by id, with its controls, for a token exchanged from it; null when it is not
     * active or not the tenant's.
     */
    @WithSession
    public Uni<VerifiedKey> active(UUID id, UUID tenantId) {
        return keys.findInTenant(id, tenantId).chain(key -> key == null || !key.usableAt(Instant.now())
                ? Uni.createFrom().nullItem()
                : stillMember(key).chain(member -> member ? verified(key) : Uni.createFrom().nullItem()));
    }

    /**
     * Whether the key's user is still a member of its tenant: a key ends with its user's membership, whatever its
     * own dates say; one older than the membership (made in an earlier one, while its removal committed) does not
     * come back with a rejoin.
     */
    private Uni<Boolean> stillMember(ApiKey key) {
        return memberships.find(key.tenantId, key.userId).map(member -> member != null
                && !key.createdAt.isBefore(member.createdAt.minus(CLOCKS_APART)));
    }

    /** What is said of a working key, with the controls of the key that created it. */
    private Uni<VerifiedKey> verified(ApiKey key) {
        Uni<ApiKey> creator = key.createdByKey == null ? Uni.createFrom().nullItem() : keys.findById(key.createdByKey);
        return creator.map(by -> new VerifiedKey(key.id, key.tenantId, key.userId, key.scopeList(),
                earliest(key.expiresAt, key.revokedAt), key.lineage(), key.limits(), by == null ? null : by.id,
                by == null ? null : by.lineage(), by == null ? null : by.limits()));
    }

    /** {@code apikey.changed} for {@code key} and each of {@code others}. */
    private Uni<Void> announce(List<ApiKey> others, ApiKey key) {
        Uni<Void> chain = outbox.append(ApiKeyChanged.of(key.tenantId, key.id, key.prefix)).replaceWithVoid();
        for (ApiKey other : others) {
            chain = chain.chain(() -> outbox.append(ApiKeyChanged.of(other.tenantId, other.id, other.prefix)))
                    .replaceWithVoid();
        }
        return chain;
    }

    private static RuntimeException invalidLimits(List<String> problems) {
        return Problems.builder(Response.Status.BAD_REQUEST, "invalid-limits", "Invalid Limits")
                .withDetail(String.join("; ", problems))
                .with("problems", problems)
                .build();
    }

    @WithTransaction
    public Uni<Void> revoke(Caller caller, UUID id) {
        return owned(caller, id).chain(key -> {
            if (key.revokedAt != null && !key.revokedAt.isAfter(Instant.now())) {
                return Uni.createFrom().voidItem();
            }
            key.revokedAt = Instant.now();
            LOG.infof("audit: user %s revoked API key %s (%s) in tenant %s", caller.userId(), key.id, key.prefix,
                    key.tenantId);
            return outbox.append(ApiKeyRevoked.of(key.tenantId, key.id, key.prefix))
                    .call(() -> audit.record(key.tenantId, "auth.api-key-revoked", caller.userId().toString(),
                            key.userId, null, Map.of("keyId", key.id.toString(), "prefix", key.prefix)))
                    .call(() -> revokeKeys.revokeIssuedBy(key));
        });
    }

    /** Checks a presented key; null when it is malformed, unknown, revoked or expired. */
    @WithTransaction
    public Uni<VerifiedKey> verify(String presented) {
        String prefix = ApiKeySecrets.prefixOf(presented);
        if (prefix == null) {
            return outcome("malformed", null);
        }
        return keys.findByPrefix(prefix).chain(key -> {
            Instant now = Instant.now();
            if (key == null || !ApiKeySecrets.matches(presented, key.secretHash)) {
                return outcome("unknown", null);
            }
            if (!key.usableAt(now)) {
                return outcome("inactive", null);
            }
            // a key ends with its user's membership of its tenant, whatever its own dates say; one older than the
            // membership (made in an earlier one, while its removal committed) does not come back with a rejoin
            return stillMember(key).chain(member -> {
                if (!member) {
                    return outcome("not-a-member", null);
                }
                if (key.lastUsedAt == null || key.lastUsedAt.isBefore(now.minusSeconds(60))) {
                    key.lastUsedAt = now;
                }
                return verified(key).chain(found -> outcome("valid", found));
            });
        });
    }

    /** How far the clocks of auth-service's replicas may stand apart when a membership and a key are stamped. */
    static final Duration CLOCKS_APART = Duration.ofSeconds(5);

    private Uni<VerifiedKey> outcome(String outcome, VerifiedKey key) {
        registry.counter("tollgate.auth.api_key.verifications", "outcome", outcome).increment();
        return Uni.createFrom().item(key);
    }

    private Uni<Issued> issue(UUID tenantId, UUID userId, String name, List<String> scopes, Instant expiresAt,
            UUID createdByKey, KeyLimits limits, UUID lineageId) {
        String prefix = ApiKeySecrets.newPrefix();
        String secret = ApiKeySecrets.compose(prefix);
        ApiKey key = new ApiKey();
        key.id = UUID.randomUUID();
        key.tenantId = tenantId;
        key.userId = userId;
        key.name = name;
        key.prefix = prefix;
        key.secretHash = ApiKeySecrets.hash(secret);
        key.scopes = String.join(" ", new ArrayList<>(scopes));
        key.createdAt = Instant.now();
        key.expiresAt = expiresAt;
        key.createdByKey = createdByKey;
        key.lineageId = lineageId;
        key.limit(limits);
        return keys.persist(key).map(saved -> new Issued(ApiKeyView.of(saved), secret, null));
    }

    /** The key if the caller may manage it: their own, or any of the tenant's for owners and admins. */
    private Uni<ApiKey> owned(Caller caller, UUID id) {
        return keys.findInTenantForUpdate(id, caller.tenantId()).chain(key -> manages(caller).map(manager -> {
            if (key == null || (!manager && !key.userId.equals(caller.userId()))) {
                throw Problems.notFound("API key", id);
            }
            if (!managingKeys.mayManage(caller, key)) {
                throw Problems.builder(Response.Status.FORBIDDEN, "scope-exceeds-key", "Scope Exceeds The Key")
                        .withDetail("an API key may manage only its own user's keys within its own scopes")
                        .build();
            }
            return key;
        }));
    }

    private Uni<Boolean> manages(Caller caller) {
        return memberships.find(caller.tenantId(), caller.userId())
                .map(member -> member != null && TenantAccess.isManager(member.role));
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
