package dev.tollgate.generation.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Many requests racing for the last units of a quota: exactly the quota is served, nothing more. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class QuotaEdgeTest {

    private static final int REQUESTS = 130;
    private static final int FREE_GENERATIONS = 100;

    @TestHTTPResource("/v1/chat/completions")
    URL endpoint;

    @Inject
    QuotaGate gate;

    @Test
    void concurrentRequestsAtTheQuotaEdgeNeverOverspend() throws Exception {
        UUID tenant = UUID.randomUUID();
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            // one user each: the per-user rate limits stay out of the way, the tenant's quota is what they race for
            String token = TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), tenant, "member"));
            requests.add(HttpRequest.newBuilder(URI.create(endpoint.toString()))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"premium\",\"max_tokens\":20,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"race " + i + "\"}]}"))
                    .timeout(Duration.ofSeconds(60)).build());
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (HttpRequest request : requests) {
            answers.add(CompletableFuture.runAsync(() -> await(go))
                    .thenCompose(ignored -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                    .thenApply(HttpResponse::statusCode));
        }
        go.countDown();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        for (CompletableFuture<Integer> answer : answers) {
            byStatus.merge(answer.get(), 1, Integer::sum);
        }

        assertEquals(Map.of(200, FREE_GENERATIONS, 402, REQUESTS - FREE_GENERATIONS), byStatus);
        String period = BillingPeriod.calendarMonth(Instant.now()).id();
        assertEquals((long) FREE_GENERATIONS, gate.used(tenant, period, UsageRecorded.GENERATIONS)
                .await().atMost(Duration.ofSeconds(10)));
        assertEquals(FREE_GENERATIONS, Sql.number("select count(*) from generation.generations where tenant_id = ?", tenant));
        assertEquals(FREE_GENERATIONS, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()));
    }

    private static void await(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
