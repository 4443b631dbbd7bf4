package dev.tollgate.generation.apikey;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import dev.tollgate.generation.FakeAuth;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * API keys as bearer credentials when auth-service cannot verify them (here it answers 503 for a key it was not told
 * of), and credentials that only look like keys. The journey tests drive a real key through a real auth-service.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
@QuarkusTestResource(FakeAuth.class)
class ApiKeyCredentialsTest {

    @Inject
    VerifiedKeys keys;

    private static final String CHAT = "{\"model\":\"premium\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void anApiKeyThatCannotBeVerifiedIs503WhileAccessTokensGoOnWorking() {
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2("tg_live_abcdefghijkl_" + "B".repeat(43))
                .body(CHAT).post("/v1/chat/completions")
                .then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "5")
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/auth-unavailable"))
                .body("detail", containsString("access token"));
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(CHAT).post("/v1/chat/completions")
                .then().statusCode(200).body("model", Matchers.equalTo("offline"));
        RestAssured.get("/q/metrics").then()
                .body(containsString("tollgate_api_keys_lookups_total{answer=\"unavailable\"}"));
    }

    @Test
    void aFloodOfUnknownKeysPushesOutOlderRefusalsButNeverAVerifiedKey() {
        UUID tenant = UUID.randomUUID();
        String valid = FakeAuth.key(UUID.randomUUID(), tenant, Set.of("generate"));
        RequestPatternBuilder validAsked = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"))
                .withRequestBody(containing(valid));
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2(valid).body(CHAT)
                .post("/v1/chat/completions").then().statusCode(200);
        assertEquals(1, FakeAuth.server().countRequestsMatching(validAsked.build()).getCount());

        // 20 times as many unknown keys as keys are kept (%test max-entries and max-refusals: 50), each refused
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            unknown.add("tg_live_flood" + String.format("%07d", i) + "_" + "F".repeat(43));
        }
        for (String key : unknown) {
            assertNull(keys.verify(key).await().atMost(Duration.ofSeconds(10)), "auth-service refused " + key);
        }
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2(valid).body(CHAT)
                .post("/v1/chat/completions").then().statusCode(200);
        assertEquals(1, FakeAuth.server().countRequestsMatching(validAsked.build()).getCount(),
                "the verified key was still in memory: auth-service was not asked about it again");
        // the latest refusal is remembered, and the refusals kept stay within max-refusals
        RequestPatternBuilder lastAsked = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"))
                .withRequestBody(containing(unknown.get(999)));
        assertNull(keys.verify(unknown.get(999)).await().atMost(Duration.ofSeconds(10)));
        assertEquals(1, FakeAuth.server().countRequestsMatching(lastAsked.build()).getCount());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cached("refused") <= 50);
    }

    /** The number of keys kept in the cache {@code api-keys-<which>}, as its metric says. */
    private static double cached(String which) {
        String metrics = RestAssured.get("/q/metrics").asString();
        Matcher line = Pattern.compile("(?m)^cache_size\\{[^}]*cache=\"api-keys-" + which + "\"[^}]*} (\\S+)$")
                .matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : Double.NaN;
    }

    @Test
    void aKeyOfAnotherShapeIsRefusedWithoutAQuestionToAuthService() {
        RequestPatternBuilder verifications = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"));
        int asked = FakeAuth.server().countRequestsMatching(verifications.build()).getCount();
        for (String malformed : List.of("tg_live_", "tg_live_abcdefghijkl", "tg_live_ABCDEFGHIJKL_" + "B".repeat(43),
                "tg_live_abcdefghijkl_" + "B".repeat(42), "tg_live_abcdefghijkl_" + "B".repeat(44),
                "tg_live_abcdefghijkl_" + "B".repeat(42) + "!", "tg_live_abcdefghijkl-" + "B".repeat(43))) {
            RestAssured.given().contentType(ContentType.JSON).auth().oauth2(malformed).body(CHAT)
                    .post("/v1/chat/completions").then().statusCode(401);
        }
        assertEquals(asked, FakeAuth.server().countRequestsMatching(verifications.build()).getCount(),
                "auth-service was asked about none of them");
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2("tg_live_abcdefghijkl_" + "C".repeat(43))
                .body(CHAT).post("/v1/chat/completions").then().statusCode(503);
        assertEquals(asked + 1, FakeAuth.server().countRequestsMatching(verifications.build()).getCount(),
                "a key of the right shape is asked about");
        RestAssured.get("/q/metrics").then()
                .body(containsString("tollgate_api_keys_lookups_total{answer=\"malformed\"}"));
    }
}
