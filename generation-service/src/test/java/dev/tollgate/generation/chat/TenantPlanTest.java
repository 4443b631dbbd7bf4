package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** The tenant's plan, as billing announces it on subscription.changed, decides its models and quotas here. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class TenantPlanTest {

    @Inject
    EventCodec codec;

    @Test
    void aSubscriptionsModelsAndQuotasApplyOnceAnnounced() {
        UUID tenant = UUID.randomUUID();
        // before any subscription the free tier (in tests: small, large, premium, flaky) lets the tenant use "premium"
        chat(tenant, "premium", 10).then().statusCode(200);

        Entitlements basic = new Entitlements(Map.of("generations", 1000L, "output_tokens", 50L),
                new Entitlements.RateLimits(60, 1000, 600, 10_000, 10), Set.of("small"), Set.of(), false);
        SubscriptionChanged event = SubscriptionChanged.of(tenant, "basic", "active", Instant.now(),
                Instant.now().plus(Duration.ofDays(30)), basic, 1);
        Topics.send("subscription.changed", tenant.toString(), codec.encode(event));

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> chat(tenant, "premium", 10).statusCode() == 403);
        chat(tenant, "premium", 10).then().statusCode(403)
                .body("error.code", Matchers.equalTo("model_not_found"))
                .body("error.plan", Matchers.equalTo("basic"))
                .body("error.message", containsString("[small]"));
        chat(tenant, "small", 100).then().statusCode(402)
                .body("error.plan", Matchers.equalTo("basic"))
                .body("error.metric", Matchers.equalTo("output_tokens"))
                .body("error.limit", Matchers.equalTo(50));
        String marker = "basic-" + tenant;
        FakeOpenAi.server().stubFor(post(
                urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("fits", 4, 2))));
        Callers.as(UUID.randomUUID(), tenant, "member")
                .body("{\"model\":\"small\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"" + marker
                        + "\"}]}")
                .post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].message.content", Matchers.equalTo("fits"));
    }

    private static Response chat(UUID tenant, String model, int maxTokens) {
        return Callers.as(UUID.randomUUID(), tenant, "member")
                .body("{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")
                .post("/v1/chat/completions");
    }
}
