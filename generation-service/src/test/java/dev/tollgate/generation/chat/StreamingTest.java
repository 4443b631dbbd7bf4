package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.generation.ChoppyProvider;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** {@code "stream": true}: server-sent events through langchain4j's streaming client, billed for what streamed. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class StreamingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    QuotaGate gate;

    @Inject
    EventCodec codec;

    @Test
    void aStreamArrivesPieceByPieceEndsWithDoneAndIsBilledAsReported() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "stream-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(FakeOpenAi.stream("stop", 12, 3, "Hel", "lo", " there"))));

        Response response = stream(tenant, "small", marker, 50, true);
        response.then().statusCode(200)
                .contentType(Matchers.startsWith("text/event-stream"))
                .header("RateLimit-Limit", "10");
        List<String> events = events(response.asString());
        assertEquals("[DONE]", events.get(events.size() - 1), "a whole stream ends with [DONE]");
        List<JsonNode> chunks = chunks(events);
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        assertEquals("Hello there", text(chunks));
        assertTrue(chunks.stream().allMatch(c -> c.get("object").asText().equals("chat.completion.chunk")));
        assertEquals(1, chunks.stream().map(c -> c.get("id").asText()).distinct().count(), "one id for the whole stream");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.get("choices").size());
        assertEquals(12, usage.at("/usage/prompt_tokens").asInt());
        assertEquals(3, usage.at("/usage/completion_tokens").asInt());

        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .withRequestBody(containing(marker)));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(12L, used(tenant, period, UsageRecorded.INPUT_TOKENS));
        assertEquals(3L, used(tenant, period, UsageRecorded.OUTPUT_TOKENS), "the unused 47 of 50 were given back");
        String id = chunks.get(0).get("id").asText().substring("chatcmpl-".length());
        assertEquals(1, Sql.number("select count(*) from generation.generations where id = ?::uuid and tenant_id = ? "
                + "and outcome = 'completed' and output = 'Hello there' and input_tokens = 12 and output_tokens = 3",
                id, tenant));
        UsageRecorded recorded = codec.decode(Sql.text("select payload from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()), EventType.USAGE_RECORDED);
        assertEquals(id, recorded.subjectId());
        assertEquals(3L, recorded.quantities().get(UsageRecorded.OUTPUT_TOKENS));
    }

    @Test
    void withoutUsageRequestedTheStreamHasNoUsageChunk() throws Exception {
        UUID tenant = UUID.randomUUID();
        List<String> events = events(stream(tenant, "premium", "plan my week", 100, false).then().statusCode(200)
                .extract().asString());
        List<JsonNode> chunks = chunks(events);
        assertTrue(text(chunks).startsWith("[offline model]"), "the offline model streams too");
        assertTrue(text(chunks).contains("plan my week"));
        assertTrue(chunks.size() > 3, "word by word, not one piece");
        assertTrue(chunks.stream().noneMatch(c -> c.has("usage")));
        assertEquals("[DONE]", events.get(events.size() - 1));
    }

    @Test
    void aStreamThatStopsWithoutFinishingEndsWithAnErrorEventAndBillsWhatWasSent() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "stops-short-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(FakeOpenAi.stream(null, 0, 0, "Half an ", "answer"))));

        List<String> events = events(stream(tenant, "small", marker, 40, true).then().statusCode(200).extract().asString());
        assertInterrupted(events, "Half an answer");
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker)));
        assertBilledAsInterrupted(tenant, "Half an answer");
    }

    @Test
    void aStreamRunningPastItsLongestDurationIsCutAtTheProviderAndBilledForWhatWasSent() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "endless-" + UUID.randomUUID();
        // ten pieces over 8 s from a provider that waits 10 s for each: the whole runs past the 4 s a stream may
        FakeOpenAi.server().stubFor(post(urlEqualTo("/narrow/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(FakeOpenAi.stream("stop", 12, 10, "one ", "two ", "three ", "four ", "five ", "six ",
                                "seven ", "eight ", "nine ", "ten"))
                        .withChunkedDribbleDelay(12, 8_000)));
        double cancelled = cancellations();

        List<String> events = events(stream(tenant, "narrow", marker, 40, true).then().statusCode(200).extract()
                .asString());
        JsonNode last = JSON.readTree(events.get(events.size() - 1));
        assertEquals("stream_interrupted", last.at("/error/code").asText(), events.toString());
        assertEquals(1, Sql.number("select count(*) from generation.generations where tenant_id = ? "
                + "and outcome = 'interrupted'", tenant));
        assertTrue(cancellations() >= cancelled + 1, "the provider's stream was cancelled, not read to its end");
    }

    private static double cancellations() {
        String metrics = RestAssured.get("/q/metrics").then().extract().asString();
        return metrics.lines()
                .filter(line -> line.startsWith("tollgate_provider_streams_cancelled_total{provider=\"narrow\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aConnectionDroppedMidStreamEndsWithAnErrorEventBillsWhatWasSentAndOpensTheBreaker() throws Exception {
        UUID tenant = UUID.randomUUID();
        int before = ChoppyProvider.calls();
        for (int i = 0; i < 2; i++) {
            List<String> events = events(stream(tenant, "choppy", "tell me everything", 40, false).then().statusCode(200)
                    .extract().asString());
            assertInterrupted(events, "Partial answer");
        }
        assertEquals(before + 2, ChoppyProvider.calls(), "a stream that started is never retried");
        assertEquals(2, Sql.number("select count(*) from generation.generations where tenant_id = ? "
                + "and outcome = 'interrupted' and output = 'Partial answer' and output_tokens > 0", tenant));
        RestAssured.get("/q/metrics").then()
                .body(containsString("tollgate_provider_breaker_state{provider=\"choppy\"} 2.0"))
                .body(Matchers.matchesPattern(
                        "(?s).*tollgate_generation_requests_total\\{model=\"choppy\",outcome=\"interrupted\",provider=\"choppy\"} [2-9].*"));
        // two broken streams of two calls opened the breaker: the next request is refused before any byte
        stream(tenant, "choppy", "again", 40, false).then().statusCode(503)
                .contentType("application/json")
                .body("error.tried[0]", Matchers.equalTo("choppy: circuit-open"));
        assertEquals(before + 2, ChoppyProvider.calls(), "an open breaker does not call the provider");
    }

    @Test
    void aProviderFailingBeforeTheFirstPieceFallsBackOrIsAStatus() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "garbled-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        FakeOpenAi.server().stubFor(post(urlEqualTo("/secondary/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(FakeOpenAi.stream("stop", 5, 2, "from ", "secondary"))));

        List<String> events = events(stream(tenant, "large", marker, 20, false).then().statusCode(200).extract().asString());
        assertEquals("from secondary", text(chunks(events)));
        assertEquals("[DONE]", events.get(events.size() - 1));

        String down = "down-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(down))
                .willReturn(aResponse().withStatus(503)));
        stream(tenant, "small", down, 20, false).then().statusCode(503)
                .contentType("application/json")
                .body("error.code", Matchers.equalTo("providers_unavailable"))
                .body("error.tried[0]", Matchers.equalTo("primary: server-error"));
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals(1L, used(tenant, period, UsageRecorded.GENERATIONS), "only the answered stream is billed");
    }

    @Test
    void overQuotaAStreamIs402BeforeAnyByte() {
        UUID tenant = UUID.randomUUID();
        String marker = "stream-over-quota-" + UUID.randomUUID();
        stream(tenant, "small", marker, 150_000, false).then().statusCode(402)
                .contentType("application/json")
                .body("error.metric", Matchers.equalTo("output_tokens"));
        FakeOpenAi.server().verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker)));
    }

    private void assertInterrupted(List<String> events, String sent) throws Exception {
        assertFalse(events.contains("[DONE]"), "a broken stream never ends with [DONE]");
        JsonNode last = JSON.readTree(events.get(events.size() - 1));
        assertEquals("stream_interrupted", last.at("/error/code").asText());
        assertTrue(last.at("/error/message").asText().contains("billed"));
        List<JsonNode> pieces = chunks(events.subList(0, events.size() - 1));
        assertEquals(sent, text(pieces));
        assertTrue(pieces.stream().allMatch(c -> c.at("/choices/0/finish_reason").isNull()));
    }

    private void assertBilledAsInterrupted(UUID tenant, String sent) {
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        long output = used(tenant, period, UsageRecorded.OUTPUT_TOKENS);
        assertTrue(output > 0 && output < 40, "what was sent is billed, not the 40 held: " + output);
        assertEquals(1L, used(tenant, period, UsageRecorded.GENERATIONS));
        assertEquals(1, Sql.number("select count(*) from generation.generations where tenant_id = ? "
                + "and outcome = 'interrupted' and output = ? and output_tokens = ?", tenant, sent, output));
        assertEquals(1, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()));
    }

    private long used(UUID tenant, String period, String metric) {
        return gate.used(tenant, period, metric).await().atMost(Duration.ofSeconds(10));
    }

    private static Response stream(UUID tenant, String model, String content, int maxTokens, boolean usage) {
        return Callers.as(UUID.randomUUID(), tenant, "member")
                .body("{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"stream\":true,"
                        + (usage ? "\"stream_options\":{\"include_usage\":true}," : "")
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}")
                .post("/v1/chat/completions");
    }

    /** The data of each server-sent event, in order. */
    static List<String> events(String body) {
        List<String> events = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.startsWith("data: ")) {
                events.add(event.substring("data: ".length()));
            } else if (!event.isBlank()) {
                throw new AssertionError("not a server-sent event: " + event);
            }
        }
        return events;
    }

    private static List<JsonNode> chunks(List<String> events) throws Exception {
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : events) {
            if (!event.equals("[DONE]")) {
                chunks.add(JSON.readTree(event));
            }
        }
        return chunks;
    }

    private static String text(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> {
            JsonNode content = c.at("/choices/0/delta/content");
            if (!content.isMissingNode() && !content.isNull()) {
                text.append(content.asText());
            }
        });
        return text.toString();
    }
}
