package dev.tollgate.auth.security;

import dev.tollgate.auth.signing.KeyVault;
import dev.tollgate.auth.signing.SigningKeys;
import dev.tollgate.common.security.TokenConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/**
 * Verifies access tokens with jose4j against auth-service's published signing keys: ES256 only, the
 * configured issuer and audience, an expiry, a subject; 30 seconds of clock skew.
 */
@ApplicationScoped
public class AccessTokenVerifier {

    private final SigningKeys keys;
    private final TokenConfig tokens;

    public AccessTokenVerifier(SigningKeys keys, TokenConfig tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    Uni<VerifiedToken> verify(String token) {
        String kid;
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(token);
            kid = jws.getKeyIdHeaderValue();
        } catch (JoseException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is not a JWS"));
        }
        if (kid == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token names no key"));
        }
        return keys.verificationKey(kid).map(key -> {
            if (key == null) {
                throw new AuthenticationFailedException("the bearer token's key " + kid + " is not published");
            }
            JwtConsumer consumer = new JwtConsumerBuilder()
                    .setRequireExpirationTime()
                    .setRequireSubject()
                    .setAllowedClockSkewInSeconds(30)
                    .setExpectedIssuer(tokens.issuer())
                    .setExpectedAudience(tokens.audience().toArray(String[]::new))
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, KeyVault.ALGORITHM)
                    .setVerificationKey(key)
                    .build();
            try {
                return new VerifiedToken(token, consumer.processToClaims(token));
            } catch (InvalidJwtException e) {
                throw new AuthenticationFailedException("the bearer token is not valid");
            }
        });
    }
}
