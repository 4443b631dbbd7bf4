package dev.tollgate.auth.token;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.signing.SigningKeys;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.TokenConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/** Signs access tokens (ES256, with {@code kid}) through smallrye-jwt-build with the active signing key. */
@ApplicationScoped
public class AccessTokens {

    public static final String USER_SCOPE = "api";

    private final SigningKeys keys;
    private final AuthConfig config;
    private final TokenConfig tokens;

    public AccessTokens(SigningKeys keys, AuthConfig config, TokenConfig tokens) {
        this.keys = keys;
        this.config = config;
        this.tokens = tokens;
    }

    /**
     * An access token for {@code userId} acting in {@code tenantId} with {@code role} there, within the session
     * {@code sessionId}.
     */
    public Uni<String> issue(UUID userId, UUID tenantId, String role, String scope, UUID sessionId) {
        return keys.active().map(key -> Jwt.issuer(tokens.issuer())
                .subject(userId.toString())
                .audience(new HashSet<>(tokens.audience()))
                .claim(Caller.TENANT_CLAIM, tenantId.toString())
                .claim(Caller.ROLES_CLAIM, List.of(role))
                .claim(Caller.SCOPE_CLAIM, scope)
                .claim(Caller.SESSION_CLAIM, sessionId.toString())
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(System.currentTimeMillis() / 1000)
                .expiresIn(config.accessToken().ttl())
                .jws()
                .keyId(key.kid())
                .algorithm(SignatureAlgorithm.ES256)
                .sign(key.privateKey()));
    }

    public long ttlSeconds() {
        return config.accessToken().ttl().toSeconds();
    }
}
