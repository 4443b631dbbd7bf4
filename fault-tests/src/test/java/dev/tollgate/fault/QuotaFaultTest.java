package dev.tollgate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Quotas through the faults that used to give them away: a Redis that comes back empty, a ledger that lags behind
 * several reconciliations, streams that outlive a reservation's TTL. Each asserts that no tenant is served past its
 * quota and that what was served is recorded once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuotaFaultTest {

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.start();
    }

    @Test
    @Order(1)
    void aRedisRestartedEmptyMidLoadAdmitsNoTenantPastItsQuota() throws Exception {
        UUID tenant = UUID.randomUUID();
        cluster.subscribe(tenant, 30, 1);
        assertEquals(Map.of(200, 20L), statuses(calls(tenant, 20)));

        cluster.stack().redis().stop();
        cluster.stack().redis().restart(); // empty
        // load goes on through the outage, the rebuild and after it: 40 more asked, 10 left in the quota
        Map<Integer, Long> after = statuses(calls(tenant, 40));
        long served = after.getOrDefault(200, 0L);
        assertTrue(served <= 10, "served past the quota after Redis came back empty: " + after);
        assertTrue(after.keySet().stream().allMatch(status -> status == 200 || status == 402 || status == 503),
                after.toString());
        // once rebuilt, the quota is what it was: exactly what is left, then 402
        List<Integer> probes = new ArrayList<>();
        await().atMost(PATIENCE).until(() -> {
            probes.add(cluster.complete(0, token(tenant), false).statusCode());
            return probes.get(probes.size() - 1) != 503;
        });
        served += probes.stream().filter(status -> status == 200).count();
        Map<Integer, Long> rest = statuses(calls(tenant, 15));
        assertEquals(10 - served, rest.getOrDefault(200, 0L), "the rest of the quota, no more: " + rest);
        assertEquals(402, cluster.complete(1, token(tenant), false).statusCode());
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 30);
    }

    @Test
    @Order(2)
    void aLedgerLaggingBehindSeveralReconciliationsNeverGivesATenantItsQuotaAgain() throws Exception {
        UUID tenant = UUID.randomUUID();
        cluster.subscribe(tenant, 20, 1);
        // the ledger knows the tenant (reconciliation visits it): one generation recorded
        assertEquals(200, cluster.complete(0, token(tenant), false).statusCode());
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 1);
        // the usage cannot reach the ledger (Kafka is away) while the tenant uses the rest of its quota
        cluster.stack().kafka().stop();
        try {
            Map<Integer, Long> used = statuses(calls(tenant, 24));
            assertEquals(19L, used.get(200), used.toString());
            assertEquals(5L, used.get(402), used.toString());
            // metering reconciles every 5 s against a ledger that knows none of it: refused throughout
            await().during(Duration.ofSeconds(16)).atMost(Duration.ofSeconds(30)).until(
                    () -> cluster.complete(0, token(tenant), false).statusCode() == 402
                            && cluster.complete(1, token(tenant), false).statusCode() == 402);
        } finally {
            cluster.stack().kafka().restart();
        }
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 20);
        assertEquals(402, cluster.complete(0, token(tenant), false).statusCode());
    }

    @Test
    @Order(3)
    void streamsOutlivingTheirReservationsTtlKeepTheirUnitsHeldAgainstCallsAtTheQuotasEdge() throws Exception {
        UUID tenant = UUID.randomUUID();
        cluster.subscribe(tenant, 3, 1);
        String marker = "edge-" + UUID.randomUUID();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int replica = i % 2;
            String token = token(tenant);
            streams.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return cluster.complete(replica, token, true, marker);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        // the three streams are admitted and at the provider: they hold the whole quota, and past their
        // reservations' TTL (3 s) they still do
        await().atMost(PATIENCE).until(() -> cluster.upstream().findAll(postRequestedFor(urlEqualTo(
                "/v1/chat/completions")).withRequestBody(containing(marker))).size() == 3);
        assertEquals(402, cluster.complete(0, token(tenant), false).statusCode());
        await().during(Duration.ofSeconds(4)).atMost(Cluster.STREAM_TIME.plusSeconds(10)).until(
                () -> streams.stream().anyMatch(stream -> !stream.isDone())
                        ? cluster.complete(1, token(tenant), false).statusCode() == 402
                        : true);
        for (CompletableFuture<HttpResponse<String>> stream : streams) {
            HttpResponse<String> answer = stream.get();
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("data: [DONE]"), answer.body());
        }
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 3);
        assertEquals(402, cluster.complete(1, token(tenant), false).statusCode());
    }

    /** {@code count} completions of {@code tenant} at once, each by its own user, alternating replicas. */
    private static List<Integer> calls(UUID tenant, int count) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int replica = i % 2;
                calls.add(callers.submit(() -> cluster.complete(replica, token(tenant), false).statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> call : calls) {
                statuses.add(call.get());
            }
            return statuses;
        } finally {
            callers.shutdown();
        }
    }

    private static Map<Integer, Long> statuses(List<Integer> statuses) {
        return statuses.stream().collect(Collectors.groupingBy(status -> status, Collectors.counting()));
    }

    private static String token(UUID tenant) {
        return cluster.token(UUID.randomUUID(), tenant);
    }

    private static long ledger(UUID tenant) {
        return cluster.number("select coalesce(sum(units), 0) from metering.usage_aggregates where metric = "
                + "'generations' and tenant_id = ?", tenant);
    }
}
