package dev.tollgate.auth.signing;

import dev.tollgate.auth.config.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.keys.AesKey;
import org.jose4j.lang.JoseException;

/**
 * Makes ES256 key pairs and keeps their private halves encrypted at rest (JWE, direct AES-256-GCM with the
 * configured key-encryption secret), through the JCA and jose4j.
 */
@ApplicationScoped
public class KeyVault {

    public static final String ALGORITHM = AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256;

    private final AesKey secret;

    public KeyVault(AuthConfig config) {
        this.secret = new AesKey(Base64.getDecoder().decode(config.keyEncryptionSecret()));
    }

    public KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make P-256 keys", e);
        }
    }

    /** The public half as a JWK with its key id, for the JWKS. */
    public String publicJwk(KeyPair pair, String kid) {
        try {
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            jwk.setKeyId(kid);
            jwk.setUse("sig");
            jwk.setAlgorithm(ALGORITHM);
            return jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        } catch (JoseException e) {
            throw new IllegalStateException("could not describe key " + kid + " as a JWK", e);
        }
    }

    public String seal(PrivateKey key) {
        try {
            JsonWebEncryption jwe = new JsonWebEncryption();
            jwe.setAlgorithmHeaderValue(KeyManagementAlgorithmIdentifiers.DIRECT);
            jwe.setEncryptionMethodHeaderParameter(ContentEncryptionAlgorithmIdentifiers.AES_256_GCM);
            jwe.setKey(secret);
            jwe.setPayload(Base64.getEncoder().encodeToString(key.getEncoded()));
            return jwe.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("could not encrypt a signing key", e);
        }
    }

    /** Decrypts a sealed private key; fails if the key-encryption secret is not the one that sealed it. */
    public PrivateKey open(String sealed, String kid) {
        try {
            JsonWebEncryption jwe = new JsonWebEncryption();
            jwe.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                    KeyManagementAlgorithmIdentifiers.DIRECT));
            jwe.setContentEncryptionAlgorithmConstraints(new AlgorithmConstraints(
                    AlgorithmConstraints.ConstraintType.PERMIT, ContentEncryptionAlgorithmIdentifiers.AES_256_GCM));
            jwe.setKey(secret);
            jwe.setCompactSerialization(sealed);
            byte[] pkcs8 = Base64.getDecoder().decode(jwe.getPayload());
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (JoseException e) {
            throw new IllegalStateException("signing key " + kid + " cannot be decrypted: "
                    + "tollgate.auth.key-encryption-secret is not the secret it was stored with", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing key " + kid + " is not a PKCS#8 EC key", e);
        }
    }
}
