package dev.tollgate.generation.apikey;

import static org.hamcrest.Matchers.containsString;

import dev.tollgate.generation.FakeAuth;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * API keys as bearer credentials when auth-service cannot verify them (here it answers 503 for a key it was not told
 * of). The journey tests drive a real key through a real auth-service.
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
}
