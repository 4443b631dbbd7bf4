package dev.tollgate.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * auth-service at the wire level (WireMock): its token endpoint hands billing's client (client {@code billing} with
 * the test secret, nothing else) a service token, and its internal endpoint says which tenants a user runs, only to
 * a caller that presents that token.
 */
public class FakeAuth implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_TOKEN = "service-token-of-the-billing-client";
    private static WireMockServer server;

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            String basic = Base64.getEncoder().encodeToString(
                    "billing:test-only-secret-of-the-billing-client-0".getBytes(StandardCharsets.UTF_8));
            server.stubFor(post(urlEqualTo("/auth/token")).withHeader("Authorization", equalTo("Basic " + basic))
                    .willReturn(okJson("{\"access_token\":\"" + SERVICE_TOKEN + "\",\"token_type\":\"Bearer\","
                            + "\"expires_in\":900,\"scope\":\"internal\"}")));
        }
        return server;
    }

    /** auth-service will say that {@code user} owns or administers {@code tenants}. */
    public static void runs(UUID user, List<UUID> tenants) {
        server().stubFor(get(urlEqualTo("/auth/internal/users/" + user + "/tenants-run"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(okJson("{\"userId\":\"" + user + "\",\"tenants\":"
                        + tenants.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(",", "[", "]")) + "}")));
    }

    /** auth-service will fail when asked about {@code user}. */
    public static void down(UUID user) {
        server().stubFor(get(urlEqualTo("/auth/internal/users/" + user + "/tenants-run"))
                .willReturn(aResponse().withStatus(503)));
    }

    /** auth-service will refuse billing's token when asked about {@code user}, as with a wrong client secret. */
    public static void refuses(UUID user) {
        server().stubFor(get(urlEqualTo("/auth/internal/users/" + user + "/tenants-run"))
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/problem+json")
                        .withBody("{\"type\":\"https://tollgate.dev/problems/client-not-allowed\",\"status\":403}")));
    }

    @Override
    public Map<String, String> start() {
        return Map.of("tollgate.billing.auth-url", "http://127.0.0.1:" + server().port());
    }

    @Override
    public void stop() {
        // shared by every test of the JVM, like devstack's servers
    }
}
