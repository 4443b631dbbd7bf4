package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** POST /v1/chat/completions through the gate to a provider, recorded with its usage. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class ChatCompletionsTest {

    @Inject
    QuotaGate gate;

    @Inject
    EventCodec codec;

    @Test
    void aProviderAnswersThroughLangchain4jAndTheGateKeepsWhatItReported() {
        UUID tenant = UUID.randomUUID();
        String marker = "provider-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("Hello from the provider", 12, 3))));

        String id = as(UUID.randomUUID(), tenant).body(chat("small", marker, 50)).post("/v1/chat/completions")
                .then().statusCode(200)
                .header("RateLimit-Limit", "10")
                .header("X-RateLimit-Remaining", "9")
                .body("object", Matchers.equalTo("chat.completion"))
                .body("model", Matchers.equalTo(FakeOpenAi.MODEL))
                .body("provider", Matchers.equalTo("primary"))
                .body("choices[0].message.content", Matchers.equalTo("Hello from the provider"))
                .body("choices[0].finish_reason", Matchers.equalTo("stop"))
                .body("usage.prompt_tokens", Matchers.equalTo(12))
                .body("usage.completion_tokens", Matchers.equalTo(3))
                .extract().path("id");

        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + FakeOpenAi.KEY))
                .withRequestBody(matchingJsonPath("$.model", equalTo(FakeOpenAi.MODEL)))
                .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("50")))
                .withRequestBody(containing(marker)));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(12L, used(tenant, period, UsageRecorded.INPUT_TOKENS), "the gate kept the provider's count");
        assertEquals(3L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS), "the unused 47 of 50 were given back");
        assertEquals(1, Sql.number("select count(*) from generation.generations where tenant_id = ? and provider = 'primary' "
                + "and input_tokens = 12 and output_tokens = 3", tenant));
        UsageRecorded usage = codec.decode(Sql.text("select payload from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()), EventType.USAGE_RECORDED);
        assertEquals(id, "chatcmpl-" + usage.subjectId());
        assertEquals(12L, usage.quantities().get(UsageRecorded.INPUT_TOKENS));
        assertEquals(3L, usage.quantities().get(UsageRecorded.OUTPUT_TOKENS));
        assertEquals(1L, usage.quantities().get(UsageRecorded.GENERATIONS));
    }

    @Test
    void anAnswerWithCharactersPostgresRefusesIsDeliveredRecordedAndBilled() {
        UUID tenant = UUID.randomUUID();
        String marker = "nul-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("before\\u0000after", 7, 2))));

        as(UUID.randomUUID(), tenant).body(chat("small", marker + "\\u0000", 20)).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].message.content", Matchers.equalTo("before\u0000after"));
        assertEquals("before\uFFFDafter", Sql.text("select output from generation.generations where tenant_id = ?",
                tenant));
        assertEquals(1, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' and "
                + "message_key = ?", tenant.toString()));
    }

    @Test
    void aFailingPrimaryFallsBackToTheNextProviderOfTheRoute() {
        UUID tenant = UUID.randomUUID();
        String marker = "fallback-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"overloaded\"}}")));
        FakeOpenAi.server().stubFor(post(urlEqualTo("/secondary/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion(FakeOpenAi.SECONDARY_MODEL, "from the fallback", 9, 4))));

        as(UUID.randomUUID(), tenant).body(chat("large", marker, 20)).post("/v1/chat/completions")
                .then().statusCode(200)
                .body("provider", Matchers.equalTo("secondary"))
                .body("model", Matchers.equalTo(FakeOpenAi.SECONDARY_MODEL))
                .body("choices[0].message.content", Matchers.equalTo("from the fallback"));
        // a 500 is retried twice (the default) before the route moves on
        FakeOpenAi.server().verify(3, postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker)));
        assertEquals(1, Sql.number("select count(*) from generation.generations where tenant_id = ? "
                + "and provider = 'secondary'", tenant));
    }

    @Test
    void whenEveryProviderFailsThe503NamesThemAndNothingIsBilled() {
        UUID tenant = UUID.randomUUID();
        String marker = "all-down-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withStatus(503)));
        FakeOpenAi.server().stubFor(post(urlEqualTo("/secondary/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withStatus(500)));

        as(UUID.randomUUID(), tenant).body(chat("large", marker, 20)).post("/v1/chat/completions")
                .then().statusCode(503)
                .contentType("application/json")
                .body("error.code", Matchers.equalTo("providers_unavailable"))
                .body("error.message", containsString("primary"))
                .body("error.message", containsString("secondary"));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(0L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS), "the held units were given back");
        assertEquals(0L, used(tenant, period, UsageRecorded.GENERATIONS));
        assertEquals(0, Sql.number("select count(*) from generation.generations where tenant_id = ?", tenant));
    }

    @Test
    void withoutAProviderKeyTheOfflineModelAnswersAndSaysSo() {
        UUID tenant = UUID.randomUUID();
        as(UUID.randomUUID(), tenant).body(chat("premium", "plan my week", 100)).post("/v1/chat/completions")
                .then().statusCode(200)
                .body("model", Matchers.equalTo("offline"))
                .body("provider", Matchers.equalTo("offline"))
                .body("choices[0].message.content", startsWith("[offline model]"))
                .body("choices[0].message.content", containsString("plan my week"))
                // estimated: 4 for the message, its role and "plan my week" at four characters a token, its keys
                .body("usage.prompt_tokens", Matchers.equalTo(9));
        assertEquals(1, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()));
    }

    @Test
    void overQuotaIs402AndTheProviderIsNeverCalled() {
        UUID tenant = UUID.randomUUID();
        String marker = "over-quota-" + UUID.randomUUID();
        // the free tier allows 100,000 output tokens a month: the worst case of this request does not fit
        as(UUID.randomUUID(), tenant).body(chat("small", marker, 150_000)).post("/v1/chat/completions")
                .then().statusCode(402)
                .contentType("application/json")
                .body("error.code", Matchers.equalTo("insufficient_quota"))
                .body("error.plan", Matchers.equalTo("free"))
                .body("error.metric", Matchers.equalTo("output_tokens"))
                .body("error.limit", Matchers.equalTo(100_000))
                .body("error.upgrade_url", Matchers.equalTo("/billing/checkout"));
        FakeOpenAi.server().verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker)));
        assertEquals(0, Sql.number("select count(*) from generation.generations where tenant_id = ?", tenant));
    }

    @Test
    void requestsTheGatewayCannotServeAreNamed() {
        UUID tenant = UUID.randomUUID();
        as(UUID.randomUUID(), tenant).body(chat("gpt-9", "hi", 10)).post("/v1/chat/completions").then().statusCode(400)
                .body("error.code", Matchers.equalTo("model_not_found"))
                .body("error.message", containsString("GET /v1/models"));
        as(UUID.randomUUID(), tenant).body(chat("exclusive", "hi", 10)).post("/v1/chat/completions").then().statusCode(403)
                .body("error.code", Matchers.equalTo("model_not_found"))
                .body("error.plan", Matchers.equalTo("free"));
        as(UUID.randomUUID(), tenant).body("{\"model\":\"small\",\"messages\":[]}").post("/v1/chat/completions")
                .then().statusCode(400).body("error.message", containsString("messages"));
        as(UUID.randomUUID(), tenant)
                .body("{\"model\":\"gpt-9\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(400).contentType("application/json")
                .body("error.code", Matchers.equalTo("model_not_found"));
        RestAssured.given().contentType(ContentType.JSON).body(chat("small", "hi", 10)).post("/v1/chat/completions")
                .then().statusCode(401);
        as(UUID.randomUUID(), tenant).get("/v1/models").then().statusCode(200)
                .body("data.id", hasItems("small", "large", "premium", "text-embedding-3-small"))
                .body("data.id", Matchers.not(hasItems("exclusive"))); // offered, but not in the free tier
    }

    private long used(UUID tenant, String period, String metric) {
        return gate.used(tenant, period, metric).await().atMost(Duration.ofSeconds(10));
    }

    private static String chat(String model, String content, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static RequestSpecification as(UUID user, UUID tenant) {
        return Callers.as(user, tenant, "member");
    }
}
