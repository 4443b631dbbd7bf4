package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * Providers that misbehave, at the wire level, through langchain4j's client: what is retried, what falls back,
 * and the breaker that stops calling a provider that keeps failing.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class ProviderResilienceTest {

    private static final String PRIMARY = "/v1/chat/completions";
    private static final String SECONDARY = "/secondary/v1/chat/completions";

    @Test
    void a429IsRetriedAfterThePauseItAskedForAndTheSecondAttemptAnswers() {
        String marker = "busy-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(PRIMARY)).withRequestBody(containing(marker))
                .inScenario(marker).whenScenarioStateIs(STARTED).willSetStateTo("calmer")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_exceeded\"}}")));
        FakeOpenAi.server().stubFor(post(urlEqualTo(PRIMARY)).withRequestBody(containing(marker))
                .inScenario(marker).whenScenarioStateIs("calmer")
                .willReturn(okJson(FakeOpenAi.completion("after a pause", 5, 3))));

        chat("small", marker).then().statusCode(200)
                .body("provider", Matchers.equalTo("primary"))
                .body("choices[0].message.content", Matchers.equalTo("after a pause"));
        assertEquals(2, calls(PRIMARY, marker));
        List<Date> at = FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo(PRIMARY)).withRequestBody(containing(marker)))
                .stream().map(LoggedRequest::getLoggedDate).sorted().toList();
        long waited = at.get(1).getTime() - at.get(0).getTime();
        assertTrue(waited >= 1000, "Retry-After: 1 is honoured, the retry came after " + waited + " ms");
    }

    @Test
    void aProviderAskingForALongerPauseThanTheGatewayWaitsIsLeftForTheNextOne() {
        String marker = "come-back-later-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(PRIMARY)).withRequestBody(containing(marker))
                .willReturn(aResponse().withStatus(429).withHeader("retry-after-ms", "30000")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached\"}}")));
        FakeOpenAi.server().stubFor(post(urlEqualTo(SECONDARY)).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion(FakeOpenAi.SECONDARY_MODEL, "the patient one", 5, 3))));

        chat("large", marker).then().statusCode(200).body("provider", Matchers.equalTo("secondary"));
        assertEquals(1, calls(PRIMARY, marker), "a 30 s pause is not waited for, nor retried");
    }

    @Test
    void aRejectedRequestIsNeitherRetriedNorBlamedOnTheProvider() {
        String marker = "rejected-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(PRIMARY)).withRequestBody(containing(marker))
                .willReturn(aResponse().withStatus(400)
                        .withBody("{\"error\":{\"message\":\"max_tokens is too large for this model\","
                                + "\"type\":\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":\"context_length_exceeded\"}}")));

        chat("small", marker).then().statusCode(400)
                .contentType("application/json")
                .body("error.code", Matchers.equalTo("context_length_exceeded"))
                .body("error.param", Matchers.equalTo("max_tokens"))
                .body("error.message", containsString("max_tokens is too large"));
        assertEquals(1, calls(PRIMARY, marker));
    }

    @Test
    void aProviderThatTimesOutIsRetriedThenTheRouteFallsBack() {
        String marker = "slow-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(PRIMARY)).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("too late", 5, 3)).withFixedDelay(2500)));
        FakeOpenAi.server().stubFor(post(urlEqualTo(SECONDARY)).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion(FakeOpenAi.SECONDARY_MODEL, "in time", 5, 2))));

        chat("large", marker).then().statusCode(200)
                .body("provider", Matchers.equalTo("secondary"))
                .body("choices[0].message.content", Matchers.equalTo("in time"));
        assertEquals(3, calls(PRIMARY, marker), "one attempt and two retries, each cut off after 1 s");
    }

    @Test
    void aSaturatedProviderTurnsCallsAwayAtOnceAndTheRouteFallsBack() throws Exception {
        String marker = "crowd-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/narrow/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("one at a time", 5, 3)).withFixedDelay(2000)));
        FakeOpenAi.server().stubFor(post(urlEqualTo(SECONDARY)).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion(FakeOpenAi.SECONDARY_MODEL, "the overflow", 5, 2))));

        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(callers.submit(() -> chat("narrow", marker).then().statusCode(200).extract()
                    .<String> path("provider")));
        }
        Map<String, Long> byProvider = new TreeMap<>();
        for (Future<String> answer : answers) {
            byProvider.merge(answer.get(), 1L, Long::sum);
        }
        callers.shutdown();
        // narrow ran one and let one wait; the other two were turned away at once, not queued into a timeout
        assertEquals(Map.of("narrow", 2L, "secondary", 2L), byProvider);
        assertEquals(2, calls("/narrow/v1/chat/completions", marker));
        RestAssured.get("/q/metrics").then().body(containsString("tollgate_provider_saturated_total{provider=\"narrow\"}"));
    }

    @Test
    void aMalformedAnswerIsNotRetriedAndTheRouteFallsBack() {
        String marker = "garbled-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(PRIMARY)).withRequestBody(containing(marker))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": \"chatcmpl-1\", \"choices\": [ {\"message\": ")));
        FakeOpenAi.server().stubFor(post(urlEqualTo(SECONDARY)).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion(FakeOpenAi.SECONDARY_MODEL, "well formed", 5, 2))));

        chat("large", marker).then().statusCode(200).body("provider", Matchers.equalTo("secondary"));
        assertEquals(1, calls(PRIMARY, marker));
    }

    @Test
    void theBreakerOpensOnAFailingProviderAndClosesWhenItRecovers() {
        FakeOpenAi.server().stubFor(post(urlEqualTo("/flaky/v1/chat/completions")).atPriority(5)
                .willReturn(aResponse().withStatus(502)));

        Response refused = null;
        for (int i = 0; i < 5 && refused == null; i++) {
            Response response = chat("flaky", "flaky-" + i);
            assertEquals(503, response.statusCode());
            if (response.path("error.message").toString().contains("circuit-open")) {
                refused = response;
            }
        }
        assertTrue(refused != null, "the breaker opened within five failing requests");
        int before = calls("/flaky/v1/chat/completions", "flaky-");
        chat("flaky", "flaky-while-open").then().statusCode(503).body("error.message", containsString("flaky: circuit-open"));
        assertEquals(before, calls("/flaky/v1/chat/completions", "flaky-"), "an open breaker does not call the provider");
        RestAssured.get("/q/metrics").then().body(containsString("tollgate_provider_breaker_state{provider=\"flaky\"} 2.0"));
        RestAssured.get("/q/health/ready").then().body(containsString("OPEN"));

        FakeOpenAi.server().stubFor(post(urlEqualTo("/flaky/v1/chat/completions")).atPriority(1)
                .willReturn(okJson(FakeOpenAi.completion("recovered", 5, 1))));
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> chat("flaky", "flaky-recovering").statusCode() == 200);
        RestAssured.get("/q/metrics").then().body(containsString("tollgate_provider_breaker_state{provider=\"flaky\"} 0.0"));
    }

    private static int calls(String url, String marker) {
        return FakeOpenAi.server().countRequestsMatching(postRequestedFor(urlEqualTo(url))
                .withRequestBody(containing(marker)).build()).getCount();
    }

    private static Response chat(String model, String content) {
        return as(UUID.randomUUID(), UUID.randomUUID()).body("{\"model\":\"" + model + "\",\"max_tokens\":20,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}").post("/v1/chat/completions");
    }

    private static RequestSpecification as(UUID user, UUID tenant) {
        return Callers.as(user, tenant, "member");
    }
}
