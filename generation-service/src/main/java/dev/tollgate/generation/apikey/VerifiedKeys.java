package dev.tollgate.generation.apikey;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.ApiKeyChanged;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.request.ClientAddress;
import dev.tollgate.common.security.KeyLimits;
import dev.tollgate.gate.ratelimit.WindowLimiter;
import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * API keys as auth-service verified them, kept in memory by the key's SHA-256 (the key itself is never kept):
 * a key is asked about once ({@code POST /auth/internal/api-keys/verify}, with this service's client-credentials
 * token) and trusted until {@code cache-ttl} or its own end, whichever is first; an unknown key is refused without
 * asking again for {@code refusal-ttl}; concurrent first uses share one question; {@code apikey.revoked} drops a
 * key at once. Verified keys and refused ones live in two bounded caches (Quarkus' cache: {@code api-keys-verified},
 * {@code max-entries}; {@code api-keys-refused}, {@code max-refusals}), so unknown keys, however many, only ever
 * compete with other refusals. At most {@value #QUESTIONS_AT_ONCE} questions are under way at once, each within
 * twice {@code timeout}. If auth-service cannot be reached, keys already verified go on working and new ones get
 * 503.
 *
 * <p>
 * A client (its address; an IPv6 one by its /64) that presents more than {@code unknown-per-client} distinct
 * unknown keys within {@code unknown-window} (counted in Redis, across the replicas) is held back: until the window
 * ends, its keys that this replica has not verified already get 429 without a question to auth-service. Only
 * refusals count, each key once a window, so a server that holds many valid keys (one per customer) is never held
 * back for using them, nor one that retries a few revoked ones. A client also has at most {@code unknown-per-client}
 * questions under way at once here, so a burst of keys sent together cannot outrun the count. Without Redis (or
 * when it takes longer than {@value #COUNT_WAIT_MILLIS} ms) a refusal is not counted; the other bounds still hold.
 */
@Startup // made at start, so that a cache that cannot take its sizes stops the start, not the first key
@ApplicationScoped
public class VerifiedKeys {

    private static final Logger LOG = Logger.getLogger(VerifiedKeys.class);

    /**
     * What auth-service says of a valid key: whose it is, its scopes, until when it may be trusted, its own controls,
     * counted under {@code lineageId} (the first key of its rotation line), and those of the key that created it
     * (which bound all the keys it created together; null for a key a person created).
     */
    public record VerifiedKey(UUID keyId, UUID tenantId, UUID userId, List<String> scopes, Instant validUntil,
            UUID lineageId, KeyLimits limits, UUID creatorKeyId, UUID creatorLineageId, KeyLimits creatorLimits) {

        /** Whether the key, or the key that created it, is {@code keyId}. */
        boolean standsFor(UUID keyId) {
            return keyId.equals(this.keyId) || keyId.equals(creatorKeyId);
        }
    }

    /** The most questions to auth-service under way at once; past it, new keys get 503 until answers come. */
    static final int QUESTIONS_AT_ONCE = 1000;
    /** How long counting a refusal in Redis may hold up its answer. */
    static final long COUNT_WAIT_MILLIS = 500;

    private final CaffeineCache verified;
    /** Active keys by id, with their controls: for tokens exchanged from a key, and for the gate. */
    private final CaffeineCache byId;
    /** Keys whose controls changed lately, until an answer asked before the change can no longer be cached. */
    private final Map<UUID, Instant> changed = new ConcurrentHashMap<>();
    private final CaffeineCache refused;
    /** Clients held back for presenting unknown keys, to the end of their window. */
    private final CaffeineCache heldBack;
    private final WindowLimiter unknownKeys;
    /** The questions to auth-service under way, one per key: concurrent first uses wait for the same answer. */
    private final Map<String, CompletableFuture<VerifiedKey>> asking = new ConcurrentHashMap<>();
    /** The questions under way per client bucket (removed at zero). */
    private final Map<String, AtomicInteger> underWay = new ConcurrentHashMap<>();
    /** Keys revoked lately, until a verification asked before the revocation can no longer be cached. */
    private final Map<UUID, Instant> revoked = new ConcurrentHashMap<>();
    private final GenerationConfig.ApiKeys config;
    private final OidcClient client;
    private final WebClient web;
    private final MeterRegistry registry;
    private volatile Tokens serviceToken;

    public VerifiedKeys(GenerationConfig config, OidcClient client, Vertx vertx, MeterRegistry registry,
            @CacheName("api-keys-verified") Cache verified, @CacheName("api-keys-refused") Cache refused,
            @CacheName("api-keys-held-back") Cache heldBack, @CacheName("api-keys-by-id") Cache byId,
            WindowLimiter unknownKeys) {
        this.config = config.apiKeys();
        this.client = client;
        this.web = WebClient.create(vertx);
        this.registry = registry;
        this.verified = verified.as(CaffeineCache.class);
        this.refused = refused.as(CaffeineCache.class);
        this.verified.setMaximumSize(this.config.maxEntries());
        this.verified.setExpireAfterWrite(this.config.cacheTtl());
        this.byId = byId.as(CaffeineCache.class);
        this.byId.setMaximumSize(this.config.maxEntries());
        this.byId.setExpireAfterWrite(this.config.cacheTtl());
        this.refused.setMaximumSize(this.config.maxRefusals());
        this.refused.setExpireAfterWrite(this.config.refusalTtl());
        this.heldBack = heldBack.as(CaffeineCache.class);
        this.heldBack.setMaximumSize(this.config.maxHeldBack());
        this.heldBack.setExpireAfterWrite(this.config.unknownWindow());
        this.unknownKeys = unknownKeys;
    }

    @PreDestroy
    void close() {
        web.close();
    }

    /**
     * The key's owner and scopes, or null if auth-service does not know it (or it expired or was revoked).
     *
     * @param client the address of the client that presented it ({@code ClientAddress}), whose unknown keys count
     */
    public Uni<VerifiedKey> verify(String key, String client) {
        String hash = sha256(key);
        Instant now = Instant.now();
        CompletableFuture<VerifiedKey> known = verified.getIfPresent(hash);
        if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
            VerifiedKey cached = known.join();
            if (cached != null && (cached.validUntil() == null || cached.validUntil().isAfter(now))
                    && !revoked.containsKey(cached.keyId())) {
                registry.counter("tollgate.api_keys.lookups", "answer", "cached").increment();
                if (byId.getIfPresent(cached.keyId()) == null && !changedRecently(cached)) {
                    byId.put(cached.keyId(), known); // its controls, for the gate, without another question
                    if (changedRecently(cached)) {
                        drop(byId, cached.keyId()); // changed while it was being put
                    }
                }
                return Uni.createFrom().item(cached);
            }
            drop(verified, hash); // its end came, or it was revoked: ask again
        }
        if (refused.getIfPresent(hash) != null) {
            registry.counter("tollgate.api_keys.lookups", "answer", "cached-refusal").increment();
            return Uni.createFrom().nullItem();
        }
        String bucket = ClientAddress.bucket(client);
        CompletableFuture<Instant> held = heldBack.getIfPresent(bucket);
        if (held != null && held.isDone() && !held.isCompletedExceptionally() && held.join().isAfter(now)) {
            registry.counter("tollgate.api_keys.lookups", "answer", "held-back").increment();
            return Uni.createFrom().failure(heldBack(held.join(), now));
        }
        CompletableFuture<VerifiedKey> answer = new CompletableFuture<>();
        CompletableFuture<VerifiedKey> asked = asking.putIfAbsent(hash, answer);
        if (asked != null) {
            return shared(asked);
        }
        if (asking.size() > QUESTIONS_AT_ONCE) {
            // auth-service is slow and new keys keep coming: shed them rather than queue without bound
            asking.remove(hash, answer);
            registry.counter("tollgate.api_keys.lookups", "answer", "unavailable").increment();
            return Uni.createFrom().failure(unavailable(
                    "the API key could not be verified now; an access token works meanwhile"));
        }
        AtomicInteger questions = underWay.computeIfAbsent(bucket, ignored -> new AtomicInteger());
        if (questions.incrementAndGet() > config.unknownPerClient()) {
            // a burst of keys sent together: as many questions at once as the client may have unknown keys
            release(bucket, questions);
            asking.remove(hash, answer);
            answer.completeExceptionally(Problems.tooManyRequests("this client has " + config.unknownPerClient()
                    + " API keys being verified already; retry in a second", 1));
            registry.counter("tollgate.api_keys.lookups", "answer", "held-back").increment();
            return shared(answer);
        }
        ask(key).map(this::unlessRevoked)
                .call(found -> found == null ? countUnknown(bucket, hash) : Uni.createFrom().voidItem())
                .onTermination().invoke(() -> release(bucket, questions))
                .subscribe().with(found -> {
                    try {
                        if (found == null) {
                            refused.put(hash, CompletableFuture.completedFuture(Boolean.TRUE));
                        } else if ((found.validUntil() == null || found.validUntil().isAfter(Instant.now()))
                                && !changedSince(found, now)) {
                            verified.put(hash, CompletableFuture.completedFuture(found));
                            byId.put(found.keyId(), CompletableFuture.completedFuture(found));
                            if (changedSince(found, now)) {
                                // changed while it was being put: asked again next time
                                drop(verified, hash);
                                drop(byId, found.keyId());
                            }
                            if (revoked.containsKey(found.keyId())) {
                                drop(verified, hash); // revoked while it was being put
                                drop(byId, found.keyId());
                            }
                        }
                    } finally {
                        asking.remove(hash, answer);
                        answer.complete(found);
                    }
                }, failure -> {
                    asking.remove(hash, answer);
                    answer.completeExceptionally(failure);
                });
        return shared(answer);
    }

    /** The shared answer, as each caller's own: one caller giving up does not cancel it for the others. */
    private static Uni<VerifiedKey> shared(CompletableFuture<VerifiedKey> answer) {
        return Uni.createFrom().completionStage(answer::copy);
    }

    /**
     * Counts an unknown key against {@code client}; past the limit, the client is held back here until its window
     * ends (the other replicas hold it back on their next unknown key from it).
     */
    private Uni<Void> countUnknown(String client, String hash) {
        return unknownKeys.hitDistinct("api-keys-unknown:" + client, hash.substring(0, 16), config.unknownPerClient(),
                config.unknownWindow())
                .ifNoItem().after(Duration.ofMillis(COUNT_WAIT_MILLIS)).recoverWithItem((WindowLimiter.Decision) null)
                .invoke(decision -> {
                    if (decision != null && !decision.allowed()) {
                        heldBack.put(client, CompletableFuture.completedFuture(Instant.now().plus(decision.reset())));
                        LOG.warnf("api keys: client %s presented more than %d unknown keys within %s; its keys not "
                                + "verified yet are refused for %d s", client, config.unknownPerClient(),
                                config.unknownWindow(), decision.retryAfterSeconds());
                    }
                })
                .replaceWithVoid();
    }

    /** One question of {@code bucket} fewer under way; the count goes when it reaches zero. */
    private void release(String bucket, AtomicInteger questions) {
        if (questions.decrementAndGet() <= 0) {
            underWay.remove(bucket, questions);
        }
    }

    private RuntimeException heldBack(Instant until, Instant now) {
        long seconds = Math.max(1, Duration.between(now, until).toMillis() / 1000 + 1);
        return Problems.tooManyRequests("this client presented more than " + config.unknownPerClient()
                + " unknown API keys within " + config.unknownWindow().toSeconds() + " s; keys not verified yet are "
                + "refused from it for " + seconds + " s (keys already in use keep working)", seconds);
    }

    private static RuntimeException unavailable(String detail) {
        return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "auth-unavailable", "Auth Unavailable")
                .withDetail(detail)
                .withHeader("Retry-After", 5)
                .build();
    }

    /**
     * An active key by id, with its own controls: for a token exchanged from a key (its {@code akid}) and for the
     * gate. Kept like a verification, until {@code cache-ttl}, {@code apikey.changed} or {@code apikey.revoked}; 401
     * when the key is no longer active.
     */
    public Uni<VerifiedKey> byId(UUID keyId, UUID tenantId) {
        CompletableFuture<VerifiedKey> known = byId.getIfPresent(keyId);
        if (known == null || known.isCompletedExceptionally()) {
            CompletableFuture<VerifiedKey> answer = new CompletableFuture<>();
            Instant asked = Instant.now();
            byId.put(keyId, answer); // asked after any change seen so far: a change from now on drops it
            askById(keyId, tenantId).subscribe().with(found -> {
                if (found != null && (changedSince(found, asked) || revoked.containsKey(found.keyId()))) {
                    // the key, or the key that created it, changed while it was asked: this caller gets the answer,
                    // the next one asks again
                    drop(byId, keyId);
                }
                if (found == null) {
                    drop(byId, keyId);
                    answer.completeExceptionally(Problems.unauthorized("the API key is unknown, revoked or expired"));
                } else {
                    answer.complete(found);
                }
            }, failure -> {
                drop(byId, keyId);
                answer.completeExceptionally(failure);
            });
            known = answer;
        }
        return Uni.createFrom().completionStage(known::copy).map(key -> {
            if (!key.tenantId().equals(tenantId) || revoked.containsKey(key.keyId())
                    || (key.validUntil() != null && !key.validUntil().isAfter(Instant.now()))) {
                drop(byId, keyId);
                throw Problems.unauthorized("the API key is unknown, revoked or expired");
            }
            return key;
        });
    }

    /** {@code apikey.changed}: what was kept of the key is asked again (it goes on working meanwhile). */
    void changed(@Observes ApiKeyChanged change) {
        Instant now = Instant.now();
        changed.values().removeIf(until -> until.isBefore(now));
        changed.put(change.apiKeyId(), now.plus(config.cacheTtl()));
        // the key's own entries, and those of the keys it created (which carry its controls)
        int dropped = dropVerified(change.apiKeyId());
        for (Object id : byId.keySet()) {
            CompletableFuture<VerifiedKey> entry = byId.getIfPresent(id);
            if (id.equals(change.apiKeyId()) || (entry != null && entry.isDone() && !entry.isCompletedExceptionally()
                    && entry.join() != null && entry.join().standsFor(change.apiKeyId()))) {
                drop(byId, id);
            }
        }
        LOG.infof("audit: API key %s (%s) changed; %d cached verification(s) dropped, its controls asked again",
                change.apiKeyId(), change.prefix(), dropped);
    }

    /** Whether {@code key}, or the key that created it, changed within the last {@code cache-ttl}. */
    private boolean changedRecently(VerifiedKey key) {
        Instant now = Instant.now();
        return isAfter(changed.get(key.keyId()), now)
                || (key.creatorKeyId() != null && isAfter(changed.get(key.creatorKeyId()), now));
    }

    private static boolean isAfter(Instant until, Instant now) {
        return until != null && until.isAfter(now);
    }

    /** Whether {@code key}, or the key that created it, changed after {@code asked}. */
    private boolean changedSince(VerifiedKey key, Instant asked) {
        return changedSince(key.keyId(), asked) || (key.creatorKeyId() != null && changedSince(key.creatorKeyId(), asked));
    }

    private boolean changedSince(UUID keyId, Instant asked) {
        Instant until = changed.get(keyId);
        return until != null && !until.minus(config.cacheTtl()).isBefore(asked);
    }

    /** {@code apikey.revoked}, as every replica reads it (common's {@code CredentialChanges}). */
    void revoked(@Observes ApiKeyRevoked revoked) {
        int dropped = evict(revoked.apiKeyId());
        LOG.infof("audit: API key %s (%s) revoked; %d cached verification(s) dropped", revoked.apiKeyId(),
                revoked.prefix(), dropped);
    }

    /**
     * Drops {@code keyId} from this replica's memory, and remembers the revocation for {@code cache-ttl}: an answer
     * to a question asked before it, arriving after, is not trusted.
     */
    int evict(UUID keyId) {
        Instant now = Instant.now();
        revoked.values().removeIf(until -> until.isBefore(now));
        revoked.put(keyId, now.plus(config.cacheTtl()));
        drop(byId, keyId);
        return dropVerified(keyId);
    }

    /** Drops every cached verification of {@code keyId}; answers how many there were. */
    private int dropVerified(UUID keyId) {
        int dropped = 0;
        for (Object hash : verified.keySet()) {
            CompletableFuture<VerifiedKey> entry = verified.getIfPresent(hash);
            if (entry != null && entry.isDone() && !entry.isCompletedExceptionally() && entry.join() != null
                    && entry.join().standsFor(keyId)) {
                drop(verified, hash);
                dropped++;
            }
        }
        return dropped;
    }

    /** Removes {@code hash} from {@code cache} now (Caffeine's invalidation runs as it is subscribed to). */
    private static void drop(CaffeineCache cache, Object hash) {
        cache.invalidate(hash).subscribe().with(ignored -> {
        });
    }

    private VerifiedKey unlessRevoked(VerifiedKey key) {
        return key != null && revoked.containsKey(key.keyId()) ? null : key;
    }

    private Uni<VerifiedKey> ask(String key) {
        return askAuth(token -> post(key, token), "verify a key", true,
                "the API key could not be verified now; an access token works meanwhile");
    }

    private Uni<VerifiedKey> askById(UUID keyId, UUID tenantId) {
        return askAuth(token -> getById(keyId, tenantId, token), "say what API key " + keyId + " may do", false,
                "the controls of the API key this credential stands for cannot be read now; retry in a few seconds");
    }

    /**
     * One question to auth-service with this service's token (renewed once if refused): the key it answers, or null
     * for a 404; 503 {@code auth-unavailable} when it cannot answer in time.
     *
     * @param counted whether the answer counts in {@code tollgate.api_keys.lookups} (a verification)
     * @param unavailableDetail what the 503 says when auth-service cannot answer
     */
    private Uni<VerifiedKey> askAuth(
            java.util.function.Function<String, Uni<HttpResponse<io.vertx.mutiny.core.buffer.Buffer>>> question,
            String what, boolean counted, String unavailableDetail) {
        return serviceToken(false)
                .chain(token -> question.apply(token))
                .chain(response -> response.statusCode() == 401
                        // our token was refused (expired early, keys rotated): a fresh one, once
                        ? serviceToken(true).chain(token -> question.apply(token))
                        : Uni.createFrom().item(response))
                .map(response -> {
                    if (response.statusCode() == 200) {
                        count(counted, "verified");
                        return read(response.bodyAsJsonObject());
                    }
                    if (response.statusCode() == 404) {
                        count(counted, "refused");
                        return null;
                    }
                    throw new IllegalStateException("auth-service answered " + response.statusCode() + ": "
                            + response.bodyAsString());
                })
                // the service token and the question together: a hung answer fails, and the key is asked again later
                .ifNoItem().after(config.timeout().multipliedBy(2))
                .failWith(() -> new TimeoutException("no answer within " + config.timeout().multipliedBy(2)))
                .onFailure().transform(e -> {
                    count(counted, "unavailable");
                    LOG.warnf("api keys: auth-service could not %s (%s)", what, e.getMessage());
                    return unavailable(unavailableDetail);
                });
    }

    private void count(boolean counted, String answer) {
        if (counted) {
            registry.counter("tollgate.api_keys.lookups", "answer", answer).increment();
        }
    }

    private Uni<HttpResponse<io.vertx.mutiny.core.buffer.Buffer>> getById(UUID keyId, UUID tenantId, String token) {
        return web.getAbs(config.authUrl().replaceAll("/+$", "") + "/auth/internal/api-keys/" + keyId + "?tenant="
                + tenantId)
                .bearerTokenAuthentication(token)
                .timeout(config.timeout().toMillis())
                .send();
    }

    private Uni<HttpResponse<io.vertx.mutiny.core.buffer.Buffer>> post(String key, String token) {
        return web.postAbs(config.authUrl().replaceAll("/+$", "") + "/auth/internal/api-keys/verify")
                .bearerTokenAuthentication(token)
                .timeout(config.timeout().toMillis())
                .sendJsonObject(new JsonObject().put("key", key));
    }

    private Uni<String> serviceToken(boolean renew) {
        Tokens current = serviceToken;
        if (!renew && current != null && !current.isAccessTokenExpired() && !current.isAccessTokenWithinRefreshInterval()) {
            return Uni.createFrom().item(current.getAccessToken());
        }
        return client.getTokens().invoke(tokens -> serviceToken = tokens).map(Tokens::getAccessToken);
    }

    private static VerifiedKey read(JsonObject body) {
        List<String> scopes = new ArrayList<>();
        JsonArray given = body.getJsonArray("scopes", new JsonArray());
        given.forEach(scope -> scopes.add(String.valueOf(scope)));
        String validUntil = body.getString("validUntil");
        UUID keyId = UUID.fromString(body.getString("keyId"));
        String lineage = body.getString("lineageId");
        String creator = body.getString("creatorKeyId");
        String creatorLineage = body.getString("creatorLineageId");
        return new VerifiedKey(keyId, UUID.fromString(body.getString("tenantId")),
                UUID.fromString(body.getString("userId")), List.copyOf(scopes),
                validUntil == null ? null : Instant.parse(validUntil), lineage == null ? keyId : UUID.fromString(lineage),
                limits(body.getJsonObject("limits")), creator == null ? null : UUID.fromString(creator),
                creatorLineage == null ? null : UUID.fromString(creatorLineage), limits(body.getJsonObject("creatorLimits")));
    }

    /** A key's controls as auth-service writes them; a field this replica does not know yet is passed over. */
    private static KeyLimits limits(JsonObject limits) {
        if (limits == null) {
            return KeyLimits.NONE;
        }
        Map<String, Long> budget = new java.util.LinkedHashMap<>();
        limits.getJsonObject("monthlyBudget", new JsonObject())
                .forEach(entry -> budget.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
        List<String> models = new ArrayList<>();
        limits.getJsonArray("models", new JsonArray()).forEach(model -> models.add(String.valueOf(model)));
        return new KeyLimits(budget, limits.getLong("requestsPerMinute"), limits.getLong("tokensPerMinute"), models);
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
