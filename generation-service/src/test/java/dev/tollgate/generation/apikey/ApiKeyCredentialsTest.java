package dev.tollgate.generation.apikey;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
import java.util.UUID;
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
