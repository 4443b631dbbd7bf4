package dev.tollgate.generation.template;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.generation.FakeAuth;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.generation.provider.OfflineProvider;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Prompt templates: checked input, structured output checked against the schema, retried once, sync and async. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
@QuarkusTestResource(FakeAuth.class)
class TemplateRunsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLAN = "{\"days\":[{\"day\":1,\"meals\":[{\"name\":\"Oats\",\"description\":\"with berries\","
            + "\"calories\":420}]}],\"shoppingList\":[\"oats\",\"berries\"]}";

    @Inject
    QuotaGate gate;

    @Inject
    PromptTemplates templates;

    @Inject
    ResumeTemplateRuns resume;

    @Inject
    TemplateRuns runs;

    @Test
    void aTemplateAnswersWithCheckedJsonInOneCallWhenTheAnswerFits() {
        UUID tenant = UUID.randomUUID();
        String diet = "diet-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(diet))
                .willReturn(okJson(FakeOpenAi.completionOf(PLAN, 120, 60))));

        as(tenant).body(run("meal-plan", "{\"days\":1,\"diet\":\"" + diet + "\",\"exclude\":[\"peanuts\"]}", false))
                .post("/generations")
                .then().statusCode(200)
                .header("RateLimit-Limit", "10")
                .body("status", Matchers.equalTo("completed"))
                .body("template", Matchers.equalTo("meal-plan"))
                .body("model", Matchers.equalTo("large"))
                .body("provider", Matchers.equalTo("primary"))
                .body("result.days[0].meals[0].name", Matchers.equalTo("Oats"))
                .body("result.shoppingList", hasItems("oats", "berries"))
                .body("input.diet", Matchers.equalTo(diet))
                .body("inputTokens", Matchers.equalTo(120))
                .body("outputTokens", Matchers.equalTo(60));
        // JSON mode, the schema in the instructions, the input in the prompt (absent fields take their defaults)
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(diet))
                .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_object")))
                .withRequestBody(containing("JSON Schema"))
                .withRequestBody(containing("about 2000 kcal"))
                .withRequestBody(containing("Exclude: peanuts")));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(60L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS), "two calls were held, one billed");
        assertEquals(1L, used(tenant, period, UsageRecorded.GENERATIONS));
        assertEquals(1, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' and message_key = ?",
                tenant.toString()));
    }

    @Test
    void anAnswerMissingTheSchemaIsSentBackOnceAndBothCallsAreBilled() {
        UUID tenant = UUID.randomUUID();
        String diet = "retry-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(diet))
                .inScenario(diet).whenScenarioStateIs(STARTED).willSetStateTo("corrected")
                .willReturn(okJson(FakeOpenAi.completionOf("{\"days\":\"soon\"}", 100, 10))));
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(diet))
                .inScenario(diet).whenScenarioStateIs("corrected")
                .willReturn(okJson(FakeOpenAi.completionOf("```json\n" + PLAN + "\n```", 130, 60))));

        as(tenant).body(run("meal-plan", "{\"days\":1,\"diet\":\"" + diet + "\"}", false)).post("/generations")
                .then().statusCode(200)
                .body("status", Matchers.equalTo("completed"))
                .body("result.days[0].day", Matchers.equalTo(1))
                .body("inputTokens", Matchers.equalTo(230))
                .body("outputTokens", Matchers.equalTo(70));
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(diet))
                .withRequestBody(containing("does not match the JSON Schema"))
                .withRequestBody(containing("{\\\"days\\\":\\\"soon\\\"}")));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(70L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS), "both answers are billed");
        assertEquals(1L, used(tenant, period, UsageRecorded.GENERATIONS), "one run, one generation");
    }

    @Test
    void twoAnswersMissingTheSchemaEndAs422NamingTheRunAndAreBilled() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        String code = "int x = 1; // " + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(code.substring(15)))
                .willReturn(okJson(FakeOpenAi.completionOf("Looks good to me!", 50, 5))));

        String id = Callers.as(user, tenant, "member")
                .body(run("code-review", JSON.createObjectNode().put("language", "java").put("code", code)
                        .toString(), false))
                .post("/generations")
                .then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/template-output-invalid"))
                .body("detail", containsString("not a JSON object"))
                .extract().path("generationId");
        FakeOpenAi.server().verify(2,
                postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(code.substring(15))));
        Callers.as(user, tenant, "member").get("/generations/" + id).then().statusCode(200)
                .body("status", Matchers.equalTo("invalid-output"))
                .body("output", Matchers.equalTo("Looks good to me!"))
                .body("outputTokens", Matchers.equalTo(10));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(10L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS));
    }

    @Test
    void inputIsCheckedAgainstTheTemplatesSchemaBeforeAnythingIsHeld() {
        UUID tenant = UUID.randomUUID();
        as(tenant).get("/templates").then().statusCode(200)
                .body("name", hasItems("meal-plan", "workout-plan", "code-review", "analysis"))
                .body("find { it.name == 'meal-plan' }.input.required", hasItems("days", "diet"));
        as(tenant).body(run("meal-plan", "{\"days\":9,\"colour\":\"red\"}", false)).post("/generations")
                .then().statusCode(400)
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/invalid-template-input"))
                .body("problems", hasItem(containsString("diet")))
                .body("problems", hasItem(containsString("days")))
                .body("problems", hasItem(containsString("colour")));
        as(tenant).body(run("horoscope", "{}", false)).post("/generations").then().statusCode(400)
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/unknown-template"))
                .body("detail", containsString("meal-plan"));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(0L, used(tenant, period, UsageRecorded.GENERATIONS));
    }

    @Test
    void anAsyncRunIsAcceptedAtOnceAndItsProgressStreamsToTheEnd() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        String text = "quarterly report " + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(text))
                .willReturn(okJson(FakeOpenAi.completionOf("{\"summary\":\"fine\",\"keyPoints\":[\"growth\"],"
                        + "\"sentiment\":\"positive\"}", 80, 20)).withFixedDelay(600)));

        String id = Callers.as(user, tenant, "member").header("Prefer", "respond-async")
                .body(run("analysis", JSON.createObjectNode().put("text", text).toString(), false)).post("/generations")
                .then().statusCode(202)
                .header("Location", containsString("/generations/"))
                .header("Preference-Applied", "respond-async")
                .body("status", Matchers.equalTo("running"))
                .extract().path("id");
        String events = Callers.as(user, tenant, "member").get("/generations/" + id + "/events")
                .then().statusCode(200).contentType(Matchers.startsWith("text/event-stream")).extract().asString();
        List<String> names = new ArrayList<>();
        JsonNode end = null;
        for (String event : events.split("\n\n")) {
            String[] lines = event.split("\n");
            names.add(lines[0].substring("event: ".length()));
            end = JSON.readTree(lines[1].substring("data: ".length()));
        }
        assertEquals("progress", names.get(0), "the run as it was: " + events);
        assertEquals("end", names.get(names.size() - 1));
        assertEquals("completed", end.get("status").asText());
        assertEquals("positive", end.at("/result/sentiment").asText());
        Callers.as(user, tenant, "member").get("/generations/" + id).then().statusCode(200)
                .body("status", Matchers.equalTo("completed"))
                .body("result.keyPoints[0]", Matchers.equalTo("growth"));
        // another user of the tenant cannot follow it
        Callers.as(UUID.randomUUID(), tenant, "member").get("/generations/" + id + "/events").then().statusCode(404);
    }

    @Test
    void aRunStartedWithAnApiKeyIsTakenOverUnderTheKeysOwnControls() throws Throwable {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        UUID id = UUID.randomUUID();
        // the key may call premium only; the template's models are large, then small
        FakeAuth.keyById(key, tenant, user, "{\"models\":[\"premium\"]}");
        Sql.update("insert into generation.generations (id, tenant_id, user_id, api_key_id, template, model, prompt, "
                + "input, outcome, input_tokens, output_tokens, lease_until, created_at) values (?, ?, ?, ?, 'analysis', "
                + "'large', '[]', ?, 'running', 0, 0, now() - interval '1 minute', now() - interval '6 minutes')",
                id, tenant, user, key, JSON.createObjectNode().put("text", "taken over under a key").toString());

        assertEquals(1, (int) VertxContextSupport.subscribeAndAwait(() -> resume.resume()));
        Callers.as(user, tenant, "member").get("/generations/" + id).then().statusCode(200)
                .body("status", Matchers.equalTo("failed"))
                .body("error", containsString("may call [premium], not any of [large, small]"));
        assertEquals(1, FakeAuth.server().countRequestsMatching(com.github.tomakehurst.wiremock.client.WireMock
                .getRequestedFor(urlPathEqualTo("/auth/internal/api-keys/" + key)).build()).getCount());
    }

    @Test
    void aRunLeftUnfinishedByADeadReplicaIsTakenOverAndEnds() throws Throwable {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UUID id = UUID.randomUUID();
        String text = "orphaned " + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(text))
                .willReturn(okJson(FakeOpenAi.completionOf("{\"summary\":\"taken over\",\"keyPoints\":[\"a\"],"
                        + "\"sentiment\":\"neutral\"}", 40, 12))));
        // what a replica that died mid-run leaves behind: a running row whose lease has run out
        Sql.update("insert into generation.generations (id, tenant_id, user_id, template, model, prompt, input, outcome, "
                + "input_tokens, output_tokens, lease_until, created_at) values (?, ?, ?, 'analysis', 'large', '[]', ?, "
                + "'running', 0, 0, now() - interval '1 minute', now() - interval '6 minutes')",
                id, tenant, user, JSON.createObjectNode().put("text", text).toString());

        int taken = VertxContextSupport.subscribeAndAwait(() -> resume.resume());
        assertEquals(1, taken);
        Callers.as(user, tenant, "member").get("/generations/" + id).then().statusCode(200)
                .body("status", Matchers.equalTo("completed"))
                .body("result.summary", Matchers.equalTo("taken over"))
                .body("outputTokens", Matchers.equalTo(12));
        assertEquals(0, VertxContextSupport.subscribeAndAwait(() -> resume.resume()), "nothing left to take over");
        // the replica that was thought dead was only slow: its late ending is neither stored nor billed
        VertxContextSupport.subscribeAndAwait(() -> runs.finish(id, tenant, user, "large", new TemplateRuns.Ending(
                "completed", "primary", "gpt-4o-mini", "{}", "{}", null, 0, "stop", 40, 99, 0, true)));
        Callers.as(user, tenant, "member").get("/generations/" + id).then().body("outputTokens", Matchers.equalTo(12));
        assertEquals(1, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()), "the run is billed once");
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(12L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS));
    }

    @Test
    void theOfflineModelAnswersEveryBuiltInTemplateWithJsonItsSchemaAccepts() {
        OfflineProvider offline = new OfflineProvider();
        assertEquals(4, templates.all().size());
        for (PromptTemplate template : templates.all()) {
            JsonNode input = JSON.createObjectNode();
            for (JsonNode required : template.inputJson().path("required")) {
                JsonNode schema = template.inputJson().path("properties").path(required.asText());
                ((com.fasterxml.jackson.databind.node.ObjectNode) input).set(required.asText(),
                        schema.has("enum") ? schema.get("enum").get(0)
                                : "integer".equals(schema.path("type").asText()) ? JSON.valueToTree(1)
                                        : JSON.valueToTree("something"));
            }
            assertEquals(List.of(), template.inputProblems(input), template.name());
            String answer = offline.complete(template.call(input)).await().indefinitely().content();
            try {
                assertEquals(List.of(), template.outputProblems(JSON.readTree(answer)), template.name() + ": " + answer);
            } catch (Exception e) {
                throw new AssertionError(template.name() + " answered no JSON: " + answer, e);
            }
        }
    }

    private long used(UUID tenant, String period, String metric) {
        return gate.used(tenant, period, metric).await().atMost(Duration.ofSeconds(10));
    }

    private static String run(String template, String input, boolean async) {
        return "{\"template\":\"" + template + "\",\"input\":" + input + (async ? ",\"async\":true" : "") + "}";
    }

    private static RequestSpecification as(UUID tenant) {
        return Callers.as(UUID.randomUUID(), tenant, "member");
    }
}
