package dev.tollgate.generation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * auth-service's side of API-key verification at the wire level (WireMock): the token endpoint hands generation's
 * client a service token, and the verify endpoint knows the keys tests register, refuses keys whose prefix starts
 * with {@code flood} (404), and cannot verify any other now (503), as when auth-service is away; any key asked for
 * by id is active, without controls of its own. The journey tests verify real
 * keys at a real auth-service.
 */
public class FakeAuth implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_TOKEN = "service-token-of-the-generation-client";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static WireMockServer server;

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            server.stubFor(post(urlEqualTo("/auth/token")).willReturn(okJson("{\"access_token\":\"" + SERVICE_TOKEN
                    + "\",\"token_type\":\"Bearer\",\"expires_in\":900,\"scope\":\"internal api-keys:verify\"}")));
            server.stubFor(post(urlEqualTo("/auth/internal/api-keys/verify")).atPriority(10)
                    .willReturn(aResponse().withStatus(503)));
            // keys of the prefixes flood... are unknown to it: 404, as auth-service answers a key it never issued
            server.stubFor(post(urlEqualTo("/auth/internal/api-keys/verify")).atPriority(5)
                    .withRequestBody(matchingJsonPath("$.key", matching("tg_live_flood[a-z0-9]{7}_.*")))
                    .willReturn(aResponse().withStatus(404)));
            // a key by id (for a token exchanged from a key): any key is active, in the tenant asked for, with no
            // controls of its own
            server.stubFor(get(urlPathMatching("/auth/internal/api-keys/[0-9a-f-]{36}")).atPriority(10)
                    .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                    .willReturn(okJson("{\"keyId\":\"{{request.pathSegments.[3]}}\",\"tenantId\":"
                            + "\"{{request.query.tenant}}\",\"userId\":\"" + UUID.randomUUID() + "\",\"scopes\":[]}")
                            .withTransformers("response-template")));
        }
        return server;
    }

    /** A new {@code tg_live_} key that auth-service will verify as {@code user}'s in {@code tenant} with {@code scopes}. */
    public static String key(UUID user, UUID tenant, Set<String> scopes) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String prefix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String key = "tg_live_" + prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String scopeList = scopes.stream().map(scope -> "\"" + scope + "\"").collect(Collectors.joining(",", "[", "]"));
        server().stubFor(post(urlEqualTo("/auth/internal/api-keys/verify")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .withRequestBody(equalToJson("{\"key\":\"" + key + "\"}"))
                .willReturn(okJson("{\"keyId\":\"" + UUID.randomUUID() + "\",\"tenantId\":\"" + tenant + "\",\"userId\":\""
                        + user + "\",\"scopes\":" + scopeList + "}")));
        return key;
    }

    /** Auth-service answers {@code keyId}, asked for by id, as {@code user}'s key in {@code tenant} with {@code limits}. */
    public static void keyById(UUID keyId, UUID tenant, UUID user, String limits) {
        server().stubFor(get(urlPathMatching("/auth/internal/api-keys/" + keyId)).atPriority(1)
                .willReturn(okJson("{\"keyId\":\"" + keyId + "\",\"tenantId\":\"" + tenant + "\",\"userId\":\""
                        + user + "\",\"scopes\":[\"generate\"],\"limits\":" + limits + "}")));
    }

    @Override
    public Map<String, String> start() {
        return Map.of("tollgate.generation.api-keys.auth-url", "http://127.0.0.1:" + server().port());
    }

    @Override
    public void stop() {
        // shared by every test of the JVM, like devstack's servers
    }
}
