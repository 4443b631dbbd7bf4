package dev.tollgate.generation.apikey;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * API keys as auth-service verified them, kept in memory by the key's SHA-256 (the key itself is never kept):
 * a key is asked about once ({@code POST /auth/internal/api-keys/verify}, with this service's client-credentials
 * token) and trusted until {@code cache-ttl} or its own end, whichever is first; an unknown key is refused without
 * asking again for {@code refusal-ttl}; concurrent first uses share one question; {@code apikey.revoked} drops a
 * key at once. If auth-service cannot be reached, keys already verified go on working and new ones get 503.
 */
@ApplicationScoped
public class VerifiedKeys {

    private static final Logger LOG = Logger.getLogger(VerifiedKeys.class);

    /** What auth-service says of a valid key. */
    public record VerifiedKey(UUID keyId, UUID tenantId, UUID userId, List<String> scopes, Instant validUntil) {
    }

    /** One key's answer: null for a refused key, until {@code until}. */
    private record Entry(CompletableFuture<VerifiedKey> answer, Instant until) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Keys revoked lately, until a verification asked before the revocation can no longer be cached. */
    private final Map<UUID, Instant> revoked = new ConcurrentHashMap<>();
    private final GenerationConfig.ApiKeys config;
    private final OidcClient client;
    private final WebClient web;
    private final MeterRegistry registry;
    private volatile Tokens serviceToken;

    public VerifiedKeys(GenerationConfig config, OidcClient client, Vertx vertx, MeterRegistry registry) {
        this.config = config.apiKeys();
        this.client = client;
        this.web = WebClient.create(vertx);
        this.registry = registry;
        registry.gaugeMapSize("tollgate.api_keys.cached", List.of(), entries);
    }

    @PreDestroy
    void close() {
        web.close();
    }

    /** The key's owner and scopes, or null if auth-service does not know it (or it expired or was revoked). */
    public Uni<VerifiedKey> verify(String key) {
        String hash = sha256(key);
        Instant now = Instant.now();
        Entry cached = entries.get(hash);
        if (cached != null && cached.until().isAfter(now)) {
            if (cached.answer().isDone() && !cached.answer().isCompletedExceptionally()) {
                VerifiedKey known = cached.answer().join();
                if (known == null || ((known.validUntil() == null || known.validUntil().isAfter(now))
                        && !revoked.containsKey(known.keyId()))) {
                    registry.counter("tollgate.api_keys.lookups", "answer", "cached").increment();
                    return Uni.createFrom().item(known);
                }
            } else if (!cached.answer().isDone()) {
                return Uni.createFrom().completionStage(cached.answer());
            }
        }
        CompletableFuture<VerifiedKey> answer = new CompletableFuture<>();
        Entry mine = new Entry(answer, now.plus(config.cacheTtl()));
        Entry raced = entries.merge(hash, mine, (old, fresh) -> !old.answer().isDone() ? old : fresh);
        if (raced != mine) {
            return Uni.createFrom().completionStage(raced.answer());
        }
        if (entries.size() > config.maxEntries()) {
            entries.clear(); // a flood of distinct keys: start over rather than grow without bound
            entries.put(hash, mine);
        }
        ask(key).map(this::unlessRevoked).subscribe().with(verified -> {
            Instant until = verified == null ? Instant.now().plus(config.refusalTtl())
                    : earliest(Instant.now().plus(config.cacheTtl()), verified.validUntil());
            entries.replace(hash, mine, new Entry(answer, until));
            answer.complete(verified);
        }, failure -> {
            entries.remove(hash, mine);
            answer.completeExceptionally(failure);
        });
        return Uni.createFrom().completionStage(answer);
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
        List<String> gone = new ArrayList<>();
        entries.forEach((hash, entry) -> {
            if (entry.answer().isDone() && !entry.answer().isCompletedExceptionally()) {
                VerifiedKey key = entry.answer().join();
                if (key != null && key.keyId().equals(keyId)) {
                    gone.add(hash);
                }
            }
        });
        gone.forEach(entries::remove);
        return gone.size();
    }

    private VerifiedKey unlessRevoked(VerifiedKey key) {
        return key != null && revoked.containsKey(key.keyId()) ? null : key;
    }

    private Uni<VerifiedKey> ask(String key) {
        return serviceToken(false)
                .chain(token -> post(key, token))
                .chain(response -> response.statusCode() == 401
                        // our token was refused (expired early, keys rotated): a fresh one, once
                        ? serviceToken(true).chain(token -> post(key, token))
                        : Uni.createFrom().item(response))
                .map(response -> {
                    if (response.statusCode() == 200) {
                        registry.counter("tollgate.api_keys.lookups", "answer", "verified").increment();
                        return read(response.bodyAsJsonObject());
                    }
                    if (response.statusCode() == 404) {
                        registry.counter("tollgate.api_keys.lookups", "answer", "refused").increment();
                        return null;
                    }
                    throw new IllegalStateException("auth-service answered " + response.statusCode() + ": "
                            + response.bodyAsString());
                })
                .onFailure().transform(e -> {
                    registry.counter("tollgate.api_keys.lookups", "answer", "unavailable").increment();
                    LOG.warnf("api keys: auth-service could not verify a key (%s)", e.getMessage());
                    return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "auth-unavailable", "Auth Unavailable")
                            .withDetail("the API key could not be verified now; an access token works meanwhile")
                            .withHeader("Retry-After", 5)
                            .build();
                });
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
        return new VerifiedKey(UUID.fromString(body.getString("keyId")), UUID.fromString(body.getString("tenantId")),
                UUID.fromString(body.getString("userId")), List.copyOf(scopes),
                validUntil == null ? null : Instant.parse(validUntil));
    }

    private static Instant earliest(Instant a, Instant b) {
        return b == null || a.isBefore(b) ? a : b;
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
