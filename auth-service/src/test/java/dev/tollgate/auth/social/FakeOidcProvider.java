package dev.tollgate.auth.social;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

/**
 * An OpenID Connect provider at the HTTP level, for social sign-in tests: discovery, JWKS, and a token
 * endpoint that, like a real provider, redeems a code only with the PKCE verifier whose S256 hash matches the
 * challenge the code was issued for. Tests issue codes with {@link #issueCode}.
 */
public class FakeOidcProvider implements QuarkusTestResourceLifecycleManager {

    public static final String NAME = "fake";
    public static final String CLIENT_ID = "tollgate-web";
    static final String CLIENT_SECRET = "fake-provider-client-secret-for-tests";

    /** An account at the provider, and the PKCE challenge its code was issued for. */
    record Grant(String challenge, String subject, String email, boolean emailVerified) {
    }

    private static final Map<String, Grant> CODES = new ConcurrentHashMap<>();
    private static WireMockServer server;
    private static RsaJsonWebKey signingKey;

    /** Registers a code that the token endpoint redeems for an ID token about this account. */
    public static void issueCode(String code, String challenge, String subject, String email, boolean verified) {
        CODES.put(code, new Grant(challenge, subject, email, verified));
    }

    @Override
    public Map<String, String> start() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            signingKey = new RsaJsonWebKey((java.security.interfaces.RSAPublicKey) pair.getPublic());
            signingKey.setPrivateKey(pair.getPrivate());
            signingKey.setKeyId("fake-key");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(new TokenEndpoint()));
        server.start();
        String base = server.baseUrl();
        server.stubFor(get("/.well-known/openid-configuration").willReturn(okJson("""
                {"issuer":"%1$s","authorization_endpoint":"%1$s/authorize","token_endpoint":"%1$s/token",
                 "jwks_uri":"%1$s/jwks","response_types_supported":["code"],"subject_types_supported":["public"],
                 "id_token_signing_alg_values_supported":["RS256"],"code_challenge_methods_supported":["S256"]}
                """.formatted(base))));
        server.stubFor(get("/jwks").willReturn(okJson(new JsonWebKeySet(signingKey)
                .toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY))));
        server.stubFor(post("/token").willReturn(aResponse().withTransformers(TokenEndpoint.NAME)));

        Map<String, String> config = new HashMap<>();
        String tenant = "quarkus.oidc." + NAME + ".";
        config.put(tenant + "auth-server-url", base);
        config.put(tenant + "application-type", "web-app");
        config.put(tenant + "client-id", CLIENT_ID);
        config.put(tenant + "credentials.secret", CLIENT_SECRET);
        config.put(tenant + "authentication.pkce-required", "true");
        config.put(tenant + "authentication.allow-multiple-code-flows", "false");
        config.put(tenant + "authentication.state-secret", "a-state-secret-of-at-least-32-characters!");
        config.put(tenant + "authentication.scopes", "email");
        config.put(tenant + "authentication.cookie-force-secure", "false");
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** The token endpoint: checks the code, the client and the PKCE verifier, then signs an ID token. */
    public static final class TokenEndpoint implements ResponseDefinitionTransformerV2 {

        static final String NAME = "pkce-token-endpoint";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Map<String, String> form = parse(event.getRequest().getBodyAsString());
            Grant grant = CODES.remove(form.getOrDefault("code", ""));
            String verifier = form.get("code_verifier");
            if (grant == null || verifier == null || !grant.challenge().equals(s256(verifier))) {
                return error("invalid_grant");
            }
            try {
                JwtClaims claims = new JwtClaims();
                claims.setIssuer(server.baseUrl());
                claims.setAudience(CLIENT_ID);
                claims.setSubject(grant.subject());
                claims.setClaim("email", grant.email());
                claims.setClaim("email_verified", grant.emailVerified());
                claims.setIssuedAtToNow();
                claims.setExpirationTimeMinutesInTheFuture(5);
                JsonWebSignature jws = new JsonWebSignature();
                jws.setPayload(claims.toJson());
                jws.setKey(signingKey.getPrivateKey());
                jws.setKeyIdHeaderValue(signingKey.getKeyId());
                jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
                String idToken = jws.getCompactSerialization();
                return ResponseDefinition.okForJson(Map.of("access_token", "provider-access-token",
                        "token_type", "Bearer", "expires_in", 300, "id_token", idToken));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static ResponseDefinition error(String code) {
            return new ResponseDefinition(400, "{\"error\":\"" + code + "\"}");
        }
    }

    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> parse(String form) {
        Map<String, String> values = new HashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

}
