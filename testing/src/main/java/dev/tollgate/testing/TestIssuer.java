package dev.tollgate.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;

/**
 * Stands in for the issuer's keys when a service's verifier is tested on its own: an ES256 key pair whose
 * public half it serves as a JWKS on a loopback port, tokens with Tollgate's claims signed by it, and the
 * forgeries a verifier must refuse. It signs through jose4j; it verifies nothing.
 */
public final class TestIssuer implements AutoCloseable {

    public static final String ISSUER = "http://issuer.test";
    public static final String AUDIENCE = "tollgate";

    private static TestIssuer shared;

    private final HttpServer server;
    private final List<PublicJsonWebKey> keys = new ArrayList<>();

    private TestIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rotate();
        server.createContext("/jwks.json", exchange -> {
            byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The issuer of this test JVM, started on first use. */
    public static synchronized TestIssuer shared() {
        if (shared == null) {
            shared = new TestIssuer();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "test-issuer-stop"));
        }
        return shared;
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    }

    /** Adds a new signing key, published beside the old ones; new tokens carry its {@code kid}. */
    public synchronized String rotate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(pair.getPublic());
            jwk.setPrivateKey(pair.getPrivate());
            jwk.setKeyId(UUID.randomUUID().toString());
            jwk.setUse("sig");
            jwk.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
            keys.add(jwk);
            return jwk.getKeyId();
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a P-256 key", e);
        }
    }

    /**
     * Claims as auth-service issues them for a signed-in session: a user acting in a tenant with one role, bound to
     * a session, valid for five minutes.
     */
    public static JwtClaims claims(UUID userId, UUID tenantId, String role) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject(userId.toString());
        claims.setClaim("tid", tenantId.toString());
        claims.setStringListClaim("roles", role);
        claims.setClaim("sid", UUID.randomUUID().toString());
        claims.setGeneratedJwtId();
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        return claims;
    }

    /**
     * Claims of a token exchanged from an API key: the key's user in its tenant, the key's scopes and id, no role
     * and no session.
     */
    public static JwtClaims apiKeyClaims(UUID userId, UUID tenantId, UUID keyId, String... scopes) {
        JwtClaims claims = claims(userId, tenantId, "api-key");
        claims.unsetClaim("sid");
        claims.setClaim("scope", String.join(" ", scopes));
        claims.setClaim("akid", keyId.toString());
        return claims;
    }

    /** Signs with the newest key, as the real issuer would. */
    public synchronized String sign(JwtClaims claims) {
        return sign(claims, keys.get(keys.size() - 1));
    }

    /** Signs with a key that is published nowhere, under a {@code kid} nobody knows. */
    public String signWithUnpublishedKey(JwtClaims claims) {
        TestIssuer stranger = new TestIssuer();
        try {
            return stranger.sign(claims);
        } finally {
            stranger.close();
        }
    }

    /** An unsigned token ({@code alg: none}). */
    public static String unsigned(JwtClaims claims) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        try {
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS256 keyed with the published public key: the algorithm-confusion forgery. */
    public synchronized String signedWithPublicKeyAsHmacSecret(JwtClaims claims) {
        PublicJsonWebKey newest = keys.get(keys.size() - 1);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKeyIdHeaderValue(newest.getKeyId());
        jws.setKey(new HmacKey(newest.getPublicKey().getEncoded()));
        jws.setDoKeyValidation(false);
        try {
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static NumericDate minutesFromNow(int minutes) {
        NumericDate date = NumericDate.now();
        date.addSeconds(minutes * 60L);
        return date;
    }

    /** The configuration that points a smallrye-jwt verifier at this issuer. */
    public Map<String, String> verifierConfig() {
        return Map.of("tollgate.tokens.issuer", ISSUER, "tollgate.tokens.jwks-url", jwksUrl());
    }

    private synchronized String jwks() {
        return new JsonWebKeySet(new ArrayList<JsonWebKey>(keys)).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    private static String sign(JwtClaims claims, PublicJsonWebKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
