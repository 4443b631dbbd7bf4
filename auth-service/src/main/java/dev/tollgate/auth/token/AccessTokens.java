package dev.tollgate.auth.token;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.signing.SigningKeys;
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

    public AccessTokens(SigningKeys keys, AuthConfig config) {
        this.keys = keys;
        this.config = config;
    }

    /** An access token for {@code userId} acting in {@code tenantId} with {@code role} there. */
    public Uni<String> issue(UUID userId, UUID tenantId, String role, String scope) {
        return keys.active().map(key -> Jwt.issuer(config.issuer())
                .subject(userId.toString())
                .audience(new HashSet<>(config.accessToken().audience()))
                .claim("tid", tenantId.toString())
                .claim("roles", List.of(role))
                .claim("scope", scope)
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
