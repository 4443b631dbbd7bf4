package dev.tollgate.auth.token;

import dev.tollgate.auth.apikey.ApiKeys;
import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The grants that start no session: {@code client_credentials} for Tollgate's own services (role
 * {@code service}), and the exchange of an API key for a short access token (role {@code api-key}, the key's id
 * and exactly its scopes, never past the key's own end; a key with no scope a token can carry is refused).
 */
@ApplicationScoped
public class ServiceGrants {

    private static final Logger LOG = Logger.getLogger(ServiceGrants.class);
    public static final String SERVICE_ROLE = "service";
    public static final String API_KEY_ROLE = "api-key";

    private final AccessTokens accessTokens;
    private final ApiKeys apiKeys;
    private final AuthConfig config;
    private final MeterRegistry registry;

    public ServiceGrants(AccessTokens accessTokens, ApiKeys apiKeys, AuthConfig config, MeterRegistry registry) {
        this.accessTokens = accessTokens;
        this.apiKeys = apiKeys;
        this.config = config;
        this.registry = registry;
    }

    /** An access token and how long it lives. */
    public record Issued(String accessToken, long expiresIn, String scope) {
    }

    public Uni<Issued> clientCredentials(String clientId, String secret) {
        AuthConfig.ServiceClient client = clientId == null ? null : config.clients().get(clientId);
        if (client == null || secret == null || !(matches(client.secret(), secret)
                | client.previousSecret().map(previous -> matches(previous, secret)).orElse(false))) {
            registry.counter("tollgate.auth.client_credentials", "outcome", "refused").increment();
            LOG.warnf("audit: client credentials refused for client %s", clientId);
            return Uni.createFrom().failure(invalidClient());
        }
        if (!matches(client.secret(), secret)) {
            LOG.infof("audit: client %s authenticated with its previous secret; once every replica has the new one, "
                    + "remove tollgate.auth.clients.%s.previous-secret", clientId, clientId);
        }
        String scope = String.join(" ", client.scopes());
        Duration ttl = config.accessToken().ttl();
        registry.counter("tollgate.auth.client_credentials", "outcome", "issued").increment();
        return accessTokens.issue(new AccessTokens.Grant("service:" + clientId, null, List.of(SERVICE_ROLE), scope,
                null, null, ttl, null))
                .map(token -> new Issued(token, ttl.toSeconds(), scope));
    }

    public Uni<Issued> exchangeApiKey(String presented) {
        return apiKeys.verify(presented).chain(key -> {
            if (key == null) {
                return Uni.createFrom().failure(Problems.builder(Response.Status.BAD_REQUEST, "api-key-invalid",
                        "Invalid Grant").withDetail("the API key is unknown, revoked or expired")
                        .with("error", "invalid_grant").build());
            }
            List<String> scopes = key.scopes().stream().filter(scope -> Scope.of(scope).isPresent()).toList();
            if (scopes.isEmpty()) {
                registry.counter("tollgate.auth.token_exchange", "outcome", "no-scope").increment();
                return Uni.createFrom().failure(Problems.builder(Response.Status.BAD_REQUEST, "api-key-no-scope",
                        "Invalid Grant").withDetail(
                                "the API key has no scope an access token can carry; create a key "
                                        + "with one of " + Arrays.toString(Scope.values()))
                        .with("error", "invalid_grant").build());
            }
            Instant end = Instant.now().plus(config.apiKey().exchangedTokenTtl());
            if (key.validUntil() != null && key.validUntil().isBefore(end)) {
                end = key.validUntil();
            }
            Duration ttl = Duration.between(Instant.now(), end);
            String scope = String.join(" ", scopes);
            registry.counter("tollgate.auth.token_exchange", "outcome", "issued").increment();
            return accessTokens.issue(new AccessTokens.Grant(key.userId().toString(), key.tenantId(),
                    List.of(API_KEY_ROLE), scope, null, key.keyId(), ttl, null))
                    .map(token -> new Issued(token, ttl.toSeconds(), scope));
        });
    }

    private static boolean matches(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpProblem invalidClient() {
        return Problems.builder(Response.Status.UNAUTHORIZED, "invalid-client", "Invalid Client")
                .withDetail("the client id or secret is wrong")
                .with("error", "invalid_client")
                .withHeader("WWW-Authenticate", "Basic realm=\"tollgate\"")
                .build();
    }
}
