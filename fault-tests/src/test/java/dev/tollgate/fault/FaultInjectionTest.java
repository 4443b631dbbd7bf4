package dev.tollgate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.AuditRecorded;
import dev.tollgate.common.event.UsageRecorded;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Faults of a real server or a service process while two replicas of each service work under load; each test
 * asserts outcomes (nothing lost, nothing doubled, nothing stuck), never how long anything took.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionTest {

    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final List<String> SCHEMAS = List.of("billing", "generation", "metering", "account");
    /** The services whose consumers of subscription.changed and audit.recorded go through an inbox. */
    private static final List<String> INBOX_SERVICES = List.of("generation", "metering", "account");
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.start();
    }

    @Test
    @Order(1)
    void eventsFlowingWhilePostgresRefusesConnectionsAreEachAppliedOnceAndNoneDeadLettered() throws Exception {
        List<UUID> tenants = ids(12);
        List<UUID> usage = new ArrayList<>();
        List<UUID> audits = new ArrayList<>();
        List<UUID> planChanges = new ArrayList<>();
        for (UUID tenant : tenants) {
            planChanges.add(plan(tenant, "basic", 1));
            usage.add(usage(tenant));
        }
        cluster.refuseDatabase();
        try {
            // every replica of every service finds the database away
            await().atMost(PATIENCE).until(() -> Cluster.SERVICES.stream().allMatch(service -> cluster.status(service,
                    0, "/q/health/ready") == 503 && cluster.status(service, 1, "/q/health/ready") == 503));
            // the events keep arriving, in two waves, and the consumers meet the outage again and again after each
            List<String> waves = List.of("pro", "basic"); // versions 2 and 3 of each tenant's plan
            for (int wave = 0; wave < waves.size(); wave++) {
                Map<String, Double> before = waited();
                for (UUID tenant : tenants) {
                    usage.add(usage(tenant));
                    audits.add(audit(tenant));
                    planChanges.add(plan(tenant, waves.get(wave), wave + 2));
                }
                await().atMost(PATIENCE).until(() -> {
                    Map<String, Double> now = waited();
                    return INBOX_SERVICES.stream().allMatch(service -> now.get(service) >= before.get(service) + 3);
                });
            }
        } finally {
            cluster.acceptDatabase();
        }
        for (UUID tenant : tenants) {
            usage.add(usage(tenant));
        }

        String tenantList = list(tenants);
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from metering.usage_events where event_id in "
                + list(usage)) == usage.size());
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from account.audit_log where event_id in "
                + list(audits)) == audits.size());
        for (String consumer : List.of("generation", "metering")) {
            await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from " + consumer
                    + ".entitlements where tenant_id in " + tenantList + " and version = 3 and plan = 'basic'") == tenants
                            .size());
        }
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from account.inbox where consumer = "
                + "'account-notifications' and event_id in " + list(planChanges)) == planChanges.size());
        // each once: the totals count every usage event one time
        assertEquals(usage.size(), cluster.number("select coalesce(sum(units), 0) from metering.usage_aggregates "
                + "where metric = 'generations' and tenant_id in " + tenantList));
        for (String schema : SCHEMAS) {
            assertEquals(0, cluster.number("select count(*) from " + schema + ".dead_letter"),
                    schema + " dead-lettered nothing for the outage");
        }
    }

    @Test
    @Order(2)
    void everyCompletionServedWhileKafkaIsStoppedFor60SecondsReachesTheLedgerOnce() throws Exception {
        List<UUID> tenants = ids(10);
        List<String> tokens = tenants.stream().map(tenant -> cluster.token(UUID.randomUUID(), tenant)).toList();
        cluster.stack().kafka().stop();
        List<Integer> statuses;
        try {
            ExecutorService callers = Executors.newFixedThreadPool(8);
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                calls.add(callers.submit(() -> cluster.complete(n % 2, tokens.get(n % tokens.size()), false)
                        .statusCode()));
            }
            statuses = new ArrayList<>();
            for (Future<Integer> call : calls) {
                statuses.add(call.get());
            }
            callers.shutdown();
            // each answered completion's usage waits in the outbox, and keeps waiting for a minute of broker
            // outage: longer than a consumer's default patience for its committed offsets (60 s)
            await().during(Duration.ofSeconds(60)).atMost(Duration.ofSeconds(90)).until(() -> pendingOnEveryReplica() >= 200);
        } finally {
            cluster.stack().kafka().restart();
        }
        assertEquals(200, statuses.stream().filter(status -> status == 200).count(), statuses.toString());
        String tenantList = list(tenants);
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from metering.usage_events where tenant_id in "
                + tenantList) == 200);
        assertEquals(200, cluster.number("select coalesce(sum(units), 0) from metering.usage_aggregates "
                + "where metric = 'generations' and tenant_id in " + tenantList));
        assertEquals(200, cluster.number("select count(*) from generation.generations where tenant_id in "
                + tenantList));
        // and every replica's consumers rode through it: all ready again (a consumer channel that failed for good
        // would keep its replica not ready)
        for (String service : Cluster.SERVICES) {
            for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
                int which = replica;
                await().atMost(PATIENCE).until(() -> cluster.status(service, which, "/q/health/ready") == 200);
            }
        }
    }

    @Test
    @Order(3)
    void aPoisonOutboxRowIsParkedAndReportedOthersFlowAndItsTenantWaitsUntilItIsDiscarded() throws Exception {
        UUID blocked = UUID.randomUUID();
        cluster.execute("insert into generation.outbox (event_id, topic, event_type, message_key, payload, "
                + "occurred_at, created_at) values (?, 'usage.recorded', 'dev.tollgate.usage.recorded.v1', ?, ?, "
                + "now(), now())", UUID.randomUUID(), blocked.toString(), "{\"pad\":\"" + "x".repeat(1_200_000) + "\"}");
        assertEquals(200, cluster.complete(0, cluster.token(UUID.randomUUID(), blocked), false).statusCode());
        List<UUID> others = ids(5);
        for (UUID other : others) {
            assertEquals(200, cluster.complete(1, cluster.token(UUID.randomUUID(), other), false).statusCode());
        }

        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from metering.usage_events "
                + "where tenant_id in " + list(others)) == others.size());
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from generation.outbox where message_key "
                + "= ? and parked_at is not null and last_error like 'RecordTooLarge%'", blocked.toString()) == 1);
        // reported on the gauge operators alert on
        await().atMost(PATIENCE).until(() -> parkedOnSomeReplica() >= 1);
        // the tenant's own event waits behind it, in order
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> cluster.number(
                "select count(*) from metering.usage_events where tenant_id = ?", blocked) == 0);

        // an operator discards it: the tenant's event follows, once
        cluster.execute("delete from generation.outbox where message_key = ? and parked_at is not null",
                blocked.toString());
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from metering.usage_events "
                + "where tenant_id = ?", blocked) == 1);
    }

    @Test
    @Order(4)
    void sigtermWith20StreamsInFlightLetsEachFinishAndRecordsAndBillsEachOnce() throws Exception {
        UUID tenant = UUID.randomUUID();
        int before = cluster.upstream().findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.stream"))).size();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String token = cluster.token(UUID.randomUUID(), tenant);
            streams.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return cluster.complete(0, token, true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        // every stream has reached the provider: its answer is under way when the replica is told to stop
        await().atMost(PATIENCE).until(() -> cluster.upstream().findAll(postRequestedFor(urlEqualTo(
                "/v1/chat/completions")).withRequestBody(matchingJsonPath("$.stream"))).size() - before >= 20);
        long pid = cluster.replica("generation", 0).pid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM

        int finished = 0;
        for (CompletableFuture<HttpResponse<String>> stream : streams) {
            HttpResponse<String> answer = stream.get();
            assertEquals(200, answer.statusCode(), answer.body());
            boolean done = answer.body().contains("data: [DONE]");
            assertTrue(done || answer.body().contains("\"error\""), "each stream finishes or ends with the error "
                    + "event: " + answer.body());
            finished += done ? 1 : 0;
        }
        await().atMost(PATIENCE).until(() -> !cluster.replica("generation", 0).isAlive());
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from generation.generations "
                + "where tenant_id = ?", tenant) == 20);
        // the usage the stopped replica left in its outbox goes out through the other replica
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from metering.usage_events "
                + "where tenant_id = ?", tenant) == 20);
        assertEquals(20, cluster.number("select coalesce(sum(units), 0) from metering.usage_aggregates "
                + "where metric = 'generations' and tenant_id = ?", tenant));
        assertEquals(20, finished, "the replica let every stream finish before it stopped");
        cluster.restart("generation", 0);
    }

    @Test
    @Order(5)
    void withRedisKilledBillingAndAccountStayReadyAndGenerationAnswersByItsPolicy() throws Exception {
        String token = cluster.token(UUID.randomUUID(), UUID.randomUUID());
        cluster.stack().redis().stop();
        try {
            await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(20))
                    .until(() -> Set.of("billing", "account").stream().allMatch(service -> cluster.status(service, 0,
                            "/q/health/ready") == 200 && cluster.status(service, 1, "/q/health/ready") == 200));
            // the default policy: quotas cannot be counted, so metered calls are refused, never given away
            HttpResponse<String> refused = cluster.complete(1, token, false);
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"code\":\"gate_unavailable\""), refused.body());
        } finally {
            cluster.stack().redis().restart();
        }
        await().atMost(PATIENCE).until(() -> cluster.complete(1, token, false).statusCode() == 200);
    }

    /** The outbox rows generation's replicas count as waiting; the fewest any replica counts. */
    private double pendingOnEveryReplica() {
        double fewest = Double.MAX_VALUE;
        for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
            fewest = Math.min(fewest, cluster.gauge("generation", replica, "tollgate_outbox_pending"));
        }
        return fewest;
    }

    /** How often each service's inbox consumers, over all its replicas, have waited for a passing fault. */
    private Map<String, Double> waited() {
        Map<String, Double> waited = new HashMap<>();
        for (String service : INBOX_SERVICES) {
            double sum = 0;
            for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
                sum += cluster.counter(service, replica, "tollgate_inbox_events_total", "outcome=\"waited\"");
            }
            waited.put(service, sum);
        }
        return waited;
    }

    private double parkedOnSomeReplica() {
        double most = 0;
        for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
            most = Math.max(most, cluster.gauge("generation", replica, "tollgate_outbox_parked"));
        }
        return most;
    }

    private static UUID plan(UUID tenant, String plan, long version) throws Exception {
        return cluster.announcePlan(tenant, plan, 1000L + version, version).eventId();
    }

    private static UUID usage(UUID tenant) throws Exception {
        UsageRecorded event = UsageRecorded.of(tenant, UUID.randomUUID(), "generation", "small",
                "g-" + UUID.randomUUID(), Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS, 3L));
        cluster.publish("usage.recorded", event);
        return event.eventId();
    }

    private static UUID audit(UUID tenant) throws Exception {
        AuditRecorded event = AuditRecorded.of(tenant, "auth", "member.invited", "user", UUID.randomUUID(),
                "127.0.0.1", Map.of("role", "member"));
        cluster.publish("audit.recorded", event);
        return event.eventId();
    }

    private static List<UUID> ids(int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    private static String list(List<UUID> ids) {
        return ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(",", "(", ")"));
    }
}
