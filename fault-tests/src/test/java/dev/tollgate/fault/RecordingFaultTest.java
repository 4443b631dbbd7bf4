package dev.tollgate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Answers that reach their caller are recorded and billed once, whatever happens after the provider answered: the
 * recording database refusing connections, a caller that goes away before the answer.
 */
class RecordingFaultTest {

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final String ANSWER = """
            {"id":"chatcmpl-slow","object":"chat.completion","created":1764000000,"model":"fault-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"A slow answer."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14}}""";
    private static Cluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        cluster = Cluster.start();
    }

    @Test
    void everyAnswerDeliveredWhileTheRecordingDatabaseRefusesConnectionsIsRecordedAndBilledOnce() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "slow-" + UUID.randomUUID();
        cluster.subscribe(tenant, 1_000_000, 1);
        // both replicas know the tenant's plan before the database goes away
        for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
            assertEquals(200, send(replica, tenant, "warm up", false, Duration.ofSeconds(30)).statusCode());
        }
        cluster.upstream().stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(containing(marker)).willReturn(okJson(ANSWER).withFixedDelay(3000)));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int replica = i % 2;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return send(replica, tenant, marker, false, Duration.ofSeconds(60));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        // every call is at the provider; the database goes away before their answers come back
        await().atMost(PATIENCE).until(() -> cluster.upstream().findAll(postRequestedFor(urlEqualTo(
                "/v1/chat/completions")).withRequestBody(containing(marker))).size() == 10);
        cluster.refuseDatabase();
        try {
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> answer = call.get();
                assertEquals(200, answer.statusCode(), answer.body());
                assertTrue(answer.body().contains("A slow answer."), answer.body());
            }
            double kept = 0;
            for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
                kept += cluster.counter("generation", replica, "tollgate_generation_records_total",
                        "outcome=\"kept-for-retry\"");
            }
            assertTrue(kept >= 10, "the answers were kept for a later write: " + kept);
        } finally {
            cluster.acceptDatabase();
        }

        // each answered call is in the ledger once (published directly, and again by the outbox once written), and
        // its generation is written late
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from generation.generations where "
                + "tenant_id = ?", tenant) == 12);
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 12);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> ledger(tenant) == 12);
        assertEquals(12, cluster.number("select count(*) from metering.usage_events where tenant_id = ?", tenant));
    }

    @Test
    void aCallerThatGoesAwayMidAnswerIsRecordedAndBilledWholeOrStreamed() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "gone-" + UUID.randomUUID();
        cluster.subscribe(tenant, 1_000_000, 1);
        cluster.upstream().stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(containing(marker)).willReturn(okJson(ANSWER).withFixedDelay(3000)));
        // a whole answer: the caller gives up after 1 s, the provider answers after 3
        assertThrows(HttpTimeoutException.class, () -> send(0, tenant, marker, false, Duration.ofSeconds(1)));
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 1);
        assertEquals(1, cluster.number("select count(*) from generation.generations where tenant_id = ? and "
                + "outcome = 'completed'", tenant));

        // a stream: the caller reads the first piece, then hangs up; the provider's stream runs on for 6 s
        String token = cluster.token(UUID.randomUUID(), tenant);
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(cluster.url("generation", 1)
                + "/v1/chat/completions")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body("Name a "
                        + "colour", true)))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (InputStream pieces = stream.body()) {
            assertTrue(pieces.read(new byte[64]) > 0, "the first piece arrived");
        }
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 2);
        assertEquals(2, cluster.number("select count(*) from generation.generations where tenant_id = ?", tenant));
    }

    private HttpResponse<String> send(int replica, UUID tenant, String content, boolean stream, Duration timeout)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.url("generation", replica) + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + cluster.token(UUID.randomUUID(), tenant))
                .header("Content-Type", "application/json").timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(body(content, stream))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String content, boolean stream) {
        return "{\"model\":\"small\",\"max_tokens\":32" + (stream ? ",\"stream\":true" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static long ledger(UUID tenant) {
        return cluster.number("select coalesce(sum(units), 0) from metering.usage_aggregates where metric = "
                + "'generations' and tenant_id = ?", tenant);
    }
}
