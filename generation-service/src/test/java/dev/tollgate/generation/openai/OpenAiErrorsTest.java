package dev.tollgate.generation.openai;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.generation.OpenAiClients;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.RawRequests;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Errors on /v1 reach OpenAI's SDK in OpenAI's envelope, with its codes; Tollgate's own API keeps problem+json. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class OpenAiErrorsTest {

    @TestHTTPResource("/v1")
    URL gateway;

    @Inject
    EventCodec codec;

    @Test
    void theSdkReadsEachRefusalWithItsStatusTypeCodeAndParam() {
        UUID tenant = UUID.randomUUID();
        OpenAIClient client = OpenAiClients.member(gateway, tenant);

        BadRequestException unknown = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat("gpt-9", 10)));
        assertEquals("model_not_found", unknown.code().orElseThrow());
        assertEquals("invalid_request_error", unknown.type().orElseThrow());
        assertEquals("model", unknown.param().orElseThrow());
        assertTrue(unknown.getMessage().contains("GET /v1/models"), unknown.getMessage());
        String requestId = unknown.headers().values("X-Request-Id").get(0);
        assertTrue(unknown.body().toString().contains("request_id") && unknown.body().toString().contains(requestId),
                "the error names the request id " + requestId + ": " + unknown.body());

        BadRequestException unknownStreamed = assertThrows(BadRequestException.class, () -> {
            try (var stream = client.chat().completions().createStreaming(chat("gpt-9", 10))) {
                stream.stream().count();
            }
        });
        assertEquals("model_not_found", unknownStreamed.code().orElseThrow());

        BadRequestException tooSmall = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat("small", 0)));
        assertEquals("max_completion_tokens", tooSmall.param().orElseThrow());
        assertEquals("invalid_request", tooSmall.code().orElseThrow());

        OpenAIServiceException overQuota = assertThrows(OpenAIServiceException.class,
                () -> client.chat().completions().create(chat("premium", 150_000)));
        assertEquals(402, overQuota.statusCode());
        assertEquals("insufficient_quota", overQuota.code().orElseThrow());
        assertEquals("insufficient_quota", overQuota.type().orElseThrow());
        assertTrue(overQuota.getMessage().contains("quota"), overQuota.getMessage());

        UnauthorizedException badKey = assertThrows(UnauthorizedException.class,
                () -> OpenAiClients.withKey(gateway, "tg_live_not-a-key")
                        .models().list());
        assertEquals("invalid_api_key", badKey.code().orElseThrow());
        assertTrue(badKey.headers().values("WWW-Authenticate").size() == 1, "the challenge is kept");

        // a plan that allows one model and one request a minute
        Entitlements plan = new Entitlements(Map.of(), new Entitlements.RateLimits(1, 0, 0, 0, 0), Set.of("small"),
                Set.of(), false);
        Topics.send("subscription.changed", tenant.toString(), codec.encode(SubscriptionChanged.of(tenant, "basic",
                "active", Instant.now(), Instant.now().plus(Duration.ofDays(30)), plan, 1)));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> refusedAsNotInPlan(client));
        PermissionDeniedException notInPlan = assertThrows(PermissionDeniedException.class,
                () -> client.chat().completions().create(chat("premium", 10)));
        assertEquals("model_not_found", notInPlan.code().orElseThrow());
        assertTrue(notInPlan.body().toString().contains("upgrade_url"), notInPlan.body().toString());

        String marker = "limited-" + tenant;
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("once", 4, 2))));
        OpenAIClient member = OpenAiClients.member(gateway, tenant);
        member.chat().completions().create(ChatCompletionCreateParams.builder().model("small").addUserMessage(marker)
                .maxCompletionTokens(10).build());
        RateLimitException limited = assertThrows(RateLimitException.class,
                () -> member.chat().completions().create(chat("small", 10)));
        assertEquals("rate_limit_exceeded", limited.code().orElseThrow());
        assertEquals("requests", limited.type().orElseThrow());
        assertTrue(Integer.parseInt(limited.headers().values("Retry-After").get(0)) >= 1);
        assertEquals("0", limited.headers().values("X-RateLimit-Remaining").get(0));
    }

    @Test
    void unknownPathsUnderV1AnswerInTheEnvelopeAndTollgatesOwnApiKeepsProblems() {
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").get("/v1/assistants")
                .then().statusCode(404).contentType("application/json")
                .body("error.code", Matchers.equalTo("unknown_url"))
                .body("error.type", Matchers.equalTo("invalid_request_error"))
                .body("error.message", Matchers.not(Matchers.emptyOrNullString()));
        RestAssured.given().contentType("application/json").body("{").post("/v1/chat/completions")
                .then().statusCode(Matchers.either(Matchers.is(400)).or(Matchers.is(401)))
                .contentType("application/json").body("error.message", Matchers.not(Matchers.emptyOrNullString()));
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").contentType("application/json").body("{")
                .post("/v1/chat/completions").then().statusCode(400).contentType("application/json")
                .body("error.type", Matchers.equalTo("invalid_request_error"))
                .body("error.code", Matchers.equalTo("invalid_body"));
        // JSON of the wrong type where the request object belongs, and a body past the limit: in the envelope too
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").contentType("application/json")
                .body("\"a string\"").post("/v1/chat/completions").then().statusCode(400)
                .contentType("application/json").body("error.code", Matchers.equalTo("invalid_body"));
        String tooLarge = RawRequests.declaringALength("/v1/chat/completions", 11 * 1024 * 1024);
        assertTrue(tooLarge.startsWith("HTTP/1.1 413"), tooLarge);
        assertTrue(tooLarge.contains("\"code\":\"body_too_large\"") && tooLarge.contains("10 MiB"), tooLarge);

        RestAssured.given().get("/generations").then().statusCode(401).contentType("application/problem+json")
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/unauthorized"));
    }

    private static boolean refusedAsNotInPlan(OpenAIClient client) {
        try {
            client.chat().completions().create(chat("premium", 10));
            return false;
        } catch (PermissionDeniedException e) {
            return true;
        }
    }

    private static ChatCompletionCreateParams chat(String model, long maxTokens) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello").maxCompletionTokens(maxTokens)
                .build();
    }

}
