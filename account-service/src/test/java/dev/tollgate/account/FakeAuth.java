package dev.tollgate.account;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The other services' internal endpoints at the wire level (WireMock): auth-service's token endpoint hands
 * account's client a service token and its erasure-scope endpoint says which tenants a user belongs to and alone
 * owns; each service's export endpoint answers with what tests set.
 */
public class FakeAuth implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_TOKEN = "service-token-of-the-account-client";
    private static WireMockServer server;

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            server.stubFor(post(urlEqualTo("/auth/token")).willReturn(okJson(
                    "{\"access_token\":\"" + SERVICE_TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":900,"
                            + "\"scope\":\"internal\"}")));
        }
        return server;
    }

    /** auth-service will say that {@code user} belongs to {@code tenants} and alone owns {@code soleOwned}. */
    public static void scope(UUID user, List<UUID> tenants, List<UUID> soleOwned) {
        scope(user, tenants, soleOwned, Map.of());
    }

    /**
     * As {@link #scope(UUID, List, List)}, with the other members of the tenants deleted with the user: tenant to
     * (member to address); every such tenant is named "Rocket".
     */
    public static void scope(UUID user, List<UUID> tenants, List<UUID> soleOwned, Map<UUID, Map<UUID, String>> left) {
        String members = left.entrySet().stream().flatMap(tenant -> tenant.getValue().entrySet().stream()
                .map(member -> "{\"tenantId\":\"" + tenant.getKey() + "\",\"tenantName\":\"Rocket\",\"userId\":\""
                        + member.getKey() + "\",\"email\":\"" + member.getValue() + "\"}"))
                .collect(Collectors.joining(",", "[", "]"));
        server().stubFor(post(urlPathEqualTo("/auth/internal/users/" + user + "/erasure-scope"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + SERVICE_TOKEN))
                .willReturn(okJson("{\"userId\":\"" + user + "\",\"tenants\":" + array(tenants)
                        + ",\"soleOwnedTenants\":" + array(soleOwned) + ",\"membersLeft\":" + members + "}")));
    }

    /** auth-service will say that {@code user} is written to at {@code email}. */
    public static void contact(UUID user, String email) {
        server().stubFor(get(urlEqualTo("/auth/internal/users/" + user + "/contact"))
                .willReturn(okJson("{\"userId\":\"" + user + "\",\"email\":\"" + email + "\"}")));
    }

    /** auth-service will say that the tenant's owners and admins are {@code runners} (user to address). */
    public static void runners(UUID tenant, Map<UUID, String> runners) {
        server().stubFor(get(urlEqualTo("/auth/internal/tenants/" + tenant + "/contacts")).willReturn(okJson(
                runners.entrySet().stream().map(runner -> "{\"userId\":\"" + runner.getKey() + "\",\"email\":\""
                        + runner.getValue() + "\",\"role\":\"owner\"}").collect(Collectors.joining(",", "[", "]")))));
    }

    /** auth-service will fail when asked about {@code user}. */
    public static void down(UUID user) {
        server().stubFor(post(urlPathEqualTo("/auth/internal/users/" + user + "/erasure-scope"))
                .willReturn(aResponse().withStatus(503)));
    }

    /** The four services' export endpoints answer for {@code user} with these bodies. */
    public static void exports(UUID user, String auth, String billing, String generation, String metering) {
        server().stubFor(get(urlEqualTo("/auth/internal/users/" + user + "/export")).willReturn(okJson(auth)));
        server().stubFor(get(urlEqualTo("/billing/internal/users/" + user + "/export")).willReturn(okJson(billing)));
        server().stubFor(get(urlEqualTo("/generations/internal/users/" + user + "/export")).willReturn(okJson(generation)));
        server().stubFor(get(urlEqualTo("/usage/internal/users/" + user + "/export")).willReturn(okJson(metering)));
    }

    @Override
    public Map<String, String> start() {
        String url = "http://127.0.0.1:" + server().port();
        // every service's internal endpoints are this one server
        return Map.of("tollgate.account.auth-url", url,
                "tollgate.account.service-urls.billing", url,
                "tollgate.account.service-urls.generation", url,
                "tollgate.account.service-urls.metering", url);
    }

    @Override
    public void stop() {
        // the server lives as long as the test JVM, shared by every test class
    }

    private static String array(List<UUID> ids) {
        return ids.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
