package dev.tollgate.journey;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.journey.TraceCollector.ReceivedSpan;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An operator follows one request: the request id a user quotes finds the request's trace, which runs from the
 * gateway's call through generation-service (the API key checked at auth-service, the quota gate, the provider
 * call with its GenAI attributes, the usage event written to the outbox) to the consumers that applied the event
 * in metering-service and billing-service; and a problem answer's request id finds its line in the service's log.
 */
class TracingJourneyTest {

    private static final Duration SPANS_ARRIVE = Duration.ofSeconds(30);
    private static Suite suite;

    @BeforeAll
    static void start() {
        suite = Suite.start();
    }

    @Test
    void oneRequestIsOneTraceThroughTheServicesAndTheConsumersOfItsEvents() {
        String access = Journeys.signIn(suite, "traced+" + UUID.randomUUID() + "@example.com");
        String key = given().baseUri(suite.url("auth")).contentType(ContentType.JSON).auth().oauth2(access)
                .body("{\"name\":\"traced app\",\"scopes\":[\"generate\"]}")
                .post("/auth/api-keys").then().statusCode(201).extract().jsonPath().getString("secret");

        String requestId = "support-ticket-" + UUID.randomUUID();
        given().baseUri(suite.gatewayUrl()).header("Authorization", "Bearer " + key).header("X-Request-Id", requestId)
                .contentType(ContentType.JSON)
                .body("{\"model\":\"small\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).header("X-Request-Id", requestId);

        // the request id finds the request's span, and with it the trace
        ReceivedSpan request = spanOf(requestId);
        assertNotNull(request, "a span carries the request id; received:\n"
                + TraceCollector.describe(suite.traces().spans()));
        assertEquals("generation-service", request.service());
        assertEquals("SPAN_KIND_SERVER", request.kind());
        String traceId = request.traceId();

        // the consumers' spans arrive last: once both are there, the trace is whole
        List<ReceivedSpan> trace = Journeys.eventually(SPANS_ARRIVE, () -> {
            List<ReceivedSpan> spans = suite.traces().trace(traceId);
            boolean consumed = has(spans, "metering-service", consumerOf("usage.recorded"))
                    && has(spans, "billing-service", consumerOf("usage.recorded"));
            return consumed ? spans : null;
        });
        List<ReceivedSpan> seen = suite.traces().trace(traceId);
        assertNotNull(trace, "metering-service and billing-service applied usage.recorded in the request's trace:\n"
                + TraceCollector.describe(seen));

        Set<String> services = trace.stream().map(ReceivedSpan::service).collect(Collectors.toSet());
        assertTrue(services.containsAll(Set.of("generation-service", "auth-service", "metering-service",
                "billing-service")), "the trace crosses the services: " + services);
        assertTrue(has(trace, "auth-service", span -> span.kind().equals("SPAN_KIND_SERVER")
                && span.name().contains("/auth/internal/api-keys/verify")), "auth-service checked the key in it");
        ReceivedSpan reserve = trace.stream().filter(span -> span.name().equals("quota gate reserve")).findFirst()
                .orElse(null);
        assertNotNull(reserve, "the gate's reservation is a span:\n" + TraceCollector.describe(trace));
        assertEquals("allowed", reserve.attribute("tollgate.gate.outcome"), "the gate admitted it");
        assertEquals(request.spanId(), reserve.parentSpanId(), "within the request");
        assertTrue(has(trace, "generation-service", span -> "redis".equals(span.attribute("db.system"))
                && "evalsha".equals(span.attribute("db.operation"))), "its Redis round trips are traced");
        assertTrue(has(trace, "generation-service", span -> span.name().equals("quota gate settle")
                && "settled".equals(span.attribute("tollgate.gate.outcome"))), "and settled it");

        ReceivedSpan provider = trace.stream().filter(span -> "chat".equals(span.attribute("gen_ai.operation.name")))
                .findFirst().orElse(null);
        assertNotNull(provider, "the provider call is a GenAI span:\n" + TraceCollector.describe(trace));
        assertEquals("SPAN_KIND_CLIENT", provider.kind());
        assertEquals("offline", provider.attribute("gen_ai.provider.name"));
        assertEquals("40", provider.attribute("gen_ai.request.max_tokens"));
        assertTrue(Long.parseLong(provider.attribute("gen_ai.usage.input_tokens")) > 0, provider.toString());
        assertTrue(Long.parseLong(provider.attribute("gen_ai.usage.output_tokens")) > 0, provider.toString());
        assertEquals("[stop]", provider.attribute("gen_ai.response.finish_reasons"), provider.toString());
        assertTrue(descendsFrom(trace, provider, request), "the provider call is part of the request's span");

        // the usage event left generation-service through its outbox, published into the request's trace
        assertTrue(has(trace, "generation-service", span -> span.kind().equals("SPAN_KIND_PRODUCER")
                && span.name().startsWith("usage.recorded")), "the outbox relay's publication joined the trace:\n"
                        + TraceCollector.describe(trace));
    }

    @Test
    void aSignInLinksTokenNeverReachesTheTraces() {
        String token = "tg_ml_" + UUID.randomUUID().toString().replace("-", "");
        String requestId = "link-" + UUID.randomUUID();
        given().baseUri(suite.gatewayUrl()).header("X-Request-Id", requestId)
                .get("/auth/magic-link/confirm?token=" + token + "&next=x").then().header("X-Request-Id", requestId);

        ReceivedSpan page = spanOf(requestId);
        assertNotNull(page, "the sign-in page's request was traced");
        assertEquals("token=REDACTED&next=REDACTED", page.attribute("url.query"), page.toString());
        List<ReceivedSpan> leaking = suite.traces().spans().stream()
                .filter(span -> span.attributes().values().stream().anyMatch(value -> value.contains(token))).toList();
        assertTrue(leaking.isEmpty(), "no span holds the token:\n" + TraceCollector.describe(leaking));
    }

    @Test
    void aProblemAnswersRequestIdFindsItsLineInTheServicesLog() throws IOException {
        String access = Journeys.signIn(suite, "quoted+" + UUID.randomUUID() + "@example.com");
        Response refused = given().baseUri(suite.gatewayUrl()).auth().oauth2(access).contentType(ContentType.JSON)
                .body("{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions");
        assertEquals(400, refused.statusCode(), refused.asString());
        String requestId = refused.header("X-Request-Id");
        assertNotNull(requestId, "the answer names its request id");
        assertEquals(requestId, refused.jsonPath().getString("error.request_id"), "so does the error");

        Path log = suite.dir().resolve("logs").resolve("generation.log");
        String line = Journeys.eventually(Duration.ofSeconds(10), () -> lines(log).stream()
                .filter(text -> text.contains(requestId)).findFirst().orElse(null));
        assertNotNull(line, "generation-service logged the problem with its request id");
        assertTrue(line.contains("unknown-model") && line.contains("status=400"), line);
        ReceivedSpan request = spanOf(requestId);
        assertNotNull(request, "the refused request was traced");
        assertEquals("400", request.attribute("http.response.status_code"));
        assertTrue(line.contains(request.traceId()), "the log line names the request's trace: " + line);
    }

    /** The span that carries {@code requestId}, once it has arrived; null if it does not within the wait. */
    private static ReceivedSpan spanOf(String requestId) {
        return Journeys.eventually(SPANS_ARRIVE, () -> suite.traces().spans().stream()
                .filter(span -> requestId.equals(span.attribute("tollgate.request.id"))).findFirst().orElse(null));
    }

    private static Predicate<ReceivedSpan> consumerOf(String topic) {
        return span -> span.kind().equals("SPAN_KIND_CONSUMER") && span.name().startsWith(topic);
    }

    private static boolean has(List<ReceivedSpan> spans, String service, Predicate<ReceivedSpan> which) {
        return spans.stream().anyMatch(span -> span.service().equals(service) && which.test(span));
    }

    /** Whether {@code span} lies under {@code ancestor} in {@code trace}. */
    private static boolean descendsFrom(List<ReceivedSpan> trace, ReceivedSpan span, ReceivedSpan ancestor) {
        ReceivedSpan at = span;
        for (int depth = 0; at != null && depth < 50; depth++) {
            if (at.spanId().equals(ancestor.spanId())) {
                return true;
            }
            String parent = at.parentSpanId();
            at = trace.stream().filter(candidate -> candidate.spanId().equals(parent)).findFirst().orElse(null);
        }
        return false;
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            return List.of();
        }
    }
}
