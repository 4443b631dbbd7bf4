package dev.tollgate.auth.token;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.signing.SigningKeys;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.TokenConfig;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/** Signs access tokens (ES256, with {@code kid}) through smallrye-jwt-build with the active signing key. */
@ApplicationScoped
public class AccessTokens {

    public static final String USER_SCOPE = "api";
    public static final String API_KEY_CLAIM = "akid";

    private final SigningKeys keys;
    private final AuthConfig config;
    private final TokenConfig tokens;

    public AccessTokens(SigningKeys keys, AuthConfig config, TokenConfig tokens) {
        this.keys = keys;
        this.config = config;
        this.tokens = tokens;
    }

    /**
     * What a token says. {@code tenantId} is absent for service clients; {@code sessionId} is present for a
     * user's sign-in session; {@code apiKeyId} for a token obtained with an API key.
     */
    public record Grant(String subject, UUID tenantId, List<String> roles, String scope, UUID sessionId,
            UUID apiKeyId, Duration ttl, Instant signedInAt) {
    }

    /**
     * A user's token in their session, with the configured lifetime; {@code auth_time} says when the user signed
     * in (the session's start), for services that ask for a recent sign-in.
     */
    public Uni<String> forSession(UUID userId, UUID tenantId, String role, UUID sessionId, Instant signedInAt) {
        return issue(new Grant(userId.toString(), tenantId, List.of(role), USER_SCOPE, sessionId, null,
                config.accessToken().ttl(), signedInAt));
    }

    public Uni<String> issue(Grant grant) {
        return keys.active().map(key -> {
            JwtClaimsBuilder claims = Jwt.issuer(tokens.issuer())
                    .subject(grant.subject())
                    .audience(new HashSet<>(tokens.audience()))
                    .claim(Caller.ROLES_CLAIM, grant.roles())
                    .claim(Caller.SCOPE_CLAIM, grant.scope())
                    .claim("jti", UUID.randomUUID().toString())
                    .issuedAt(System.currentTimeMillis() / 1000)
                    .expiresIn(grant.ttl());
            if (grant.tenantId() != null) {
                claims.claim(Caller.TENANT_CLAIM, grant.tenantId().toString());
            }
            if (grant.sessionId() != null) {
                claims.claim(Caller.SESSION_CLAIM, grant.sessionId().toString());
            }
            if (grant.signedInAt() != null) {
                claims.claim(Caller.AUTH_TIME_CLAIM, grant.signedInAt().getEpochSecond());
            }
            if (grant.apiKeyId() != null) {
                claims.claim(API_KEY_CLAIM, grant.apiKeyId().toString());
            }
            return claims.jws().keyId(key.kid()).algorithm(SignatureAlgorithm.ES256).sign(key.privateKey());
        });
    }

    public long ttlSeconds() {
        return config.accessToken().ttl().toSeconds();
    }
}
