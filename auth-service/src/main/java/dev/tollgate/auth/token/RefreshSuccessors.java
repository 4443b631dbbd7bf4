package dev.tollgate.auth.token;

import dev.tollgate.auth.config.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The refresh token that follows a spent one, derived from it: HMAC-SHA256 under a key of auth-service's own (from
 * {@code tollgate.auth.key-encryption-secret}), 256 bits in the shape of every other opaque token. The same
 * predecessor always has the same successor, so two tabs refreshing with one token inside the grace window get one
 * chain, not two; nobody without the key can compute it, and only its hash is stored, like every token's.
 */
@ApplicationScoped
public class RefreshSuccessors {

    private static final String ALGORITHM = "HmacSHA256";
    private final SecretKeySpec key;

    public RefreshSuccessors(AuthConfig config) {
        byte[] secret = Base64.getDecoder().decode(config.keyEncryptionSecret());
        try {
            Mac derive = Mac.getInstance(ALGORITHM);
            derive.init(new SecretKeySpec(secret, ALGORITHM));
            // a key of its own for this one use, not the secret that encrypts signing keys
            this.key = new SecretKeySpec(derive.doFinal("tollgate refresh-token successors".getBytes(
                    StandardCharsets.UTF_8)), ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    /** The successor of {@code presented}. */
    public String of(String presented) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(presented.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }
}
