package dev.tollgate.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.testing.DevStackTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The gate against real Redis, through two clients as two replicas would hold them. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class QuotaGateTest {

    private static final String PERIOD = "2026-11-01";
    private static final Instant PERIOD_ENDS = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    QuotaGate gate;

    @Inject
    @RedisClientName("replica")
    ReactiveRedisDataSource replicaRedis;

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    GateConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    Vertx vertx;

    @Test
    void theLastTenUnitsGoToExactlyTenOfAThousandConcurrentRequests() {
        // reservations outlive the burst (the tests' 1 s would let a slow machine give back the first holds)
        GateConfig lasting = new Configured(config, Duration.ofMinutes(2), config.awaitCounterRebuild());
        QuotaGate gate = new QuotaGate(redis, vertx, lasting, registry);
        QuotaGate replica = new QuotaGate(replicaRedis, vertx, lasting, registry);
        UUID tenant = UUID.randomUUID();
        GateDecision.Allowed first = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 90, 100)));
        assertTrue(await(gate.settle(first.reservation(), Map.of("generations", 90L))));

        List<Uni<GateDecision>> requests = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            QuotaGate instance = i % 2 == 0 ? gate : replica;
            requests.add(instance.reserve(generations(tenant, UUID.randomUUID(), 1, 100)));
        }
        List<GateDecision> decisions = Uni.join().all(requests).andFailFast().await().atMost(Duration.ofSeconds(120));

        assertEquals(0, decisions.stream().filter(GateDecision.Unavailable.class::isInstance).count(),
                "no request was turned away for want of a Redis connection");
        assertEquals(10, decisions.stream().filter(GateDecision.Allowed.class::isInstance).count());
        assertEquals(990, decisions.stream().filter(GateDecision.QuotaExceeded.class::isInstance).count());
        assertEquals(100L, await(gate.used(tenant, PERIOD, "generations")));
    }

    @Test
    void settlingKeepsWhatWasUsedOnceAndGivesTheRestBack() {
        UUID tenant = UUID.randomUUID();
        GateDecision.Allowed held = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 50, 100)));
        assertEquals(50L, held.remaining().get("generations"));
        assertEquals(50L, await(gate.used(tenant, PERIOD, "generations")));

        assertTrue(await(gate.settle(held.reservation(), Map.of("generations", 20L))));
        assertFalse(await(gate.settle(held.reservation(), Map.of("generations", 20L))), "a repeat counts nothing");
        assertEquals(20L, await(gate.used(tenant, PERIOD, "generations")));
    }

    @Test
    void settlingAReservationTheCallerNeverSawAppliedGivesItsUnitsBack() {
        UUID tenant = UUID.randomUUID();
        GateDecision.Allowed held = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 5, 100)));
        // as a caller whose reserve call timed out knows it: the id, but no units held
        Reservation unknown = new Reservation(held.reservation().id(), tenant, PERIOD, PERIOD_ENDS, Map.of(),
                held.reservation().expiresAt());
        assertTrue(await(gate.settle(unknown, Map.of())));
        assertEquals(0L, await(gate.used(tenant, PERIOD, "generations")));
    }

    @Test
    void overQuotaNothingIsHeldAndTheAnswerNamesTheMetric() {
        UUID tenant = UUID.randomUUID();
        GateDecision decision = await(gate.reserve(new GateRequest(tenant, UUID.randomUUID(), PERIOD, PERIOD_ENDS,
                Map.of("generations", 1L, "output_tokens", 5000L), Map.of("generations", 100L, "output_tokens", 4000L),
                List.of())));
        GateDecision.QuotaExceeded exceeded = assertInstanceOf(GateDecision.QuotaExceeded.class, decision);
        assertEquals("output_tokens", exceeded.metric());
        assertEquals(4000L, exceeded.limit());
        assertEquals(0L, await(gate.used(tenant, PERIOD, "generations")), "the other metric was not held either");
    }

    @Test
    void unitsHeldByACallerThatNeverSettlesComeBack() {
        UUID tenant = UUID.randomUUID();
        allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 100, 100)));
        assertInstanceOf(GateDecision.QuotaExceeded.class, await(gate.reserve(generations(tenant, UUID.randomUUID(), 1, 100))));

        // the reservation's TTL is 1 s in tests; the next admission gives the units back
        Awaitility.await().atMost(PATIENCE).until(
                () -> await(gate.reserve(generations(tenant, UUID.randomUUID(), 1, 100))) instanceof GateDecision.Allowed);
        assertEquals(1L, await(gate.used(tenant, PERIOD, "generations")));
    }

    @Test
    void aReservationKeptAliveOutlastsItsTtlUntilItIsSettledAndIsCountedOnce() {
        UUID tenant = UUID.randomUUID();
        GateDecision.Allowed held = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 100, 100)));
        gate.keepAlive(held.reservation());
        // the TTL is 1 s in tests: for five of them the call is still running and its units stay held
        Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(
                () -> await(
                        gate.reserve(generations(tenant, UUID.randomUUID(), 1, 100))) instanceof GateDecision.QuotaExceeded);
        assertTrue(await(gate.settle(held.reservation(), Map.of("generations", 60L))));
        assertEquals(60L, await(gate.used(tenant, PERIOD, "generations")));
        // settled, it is no longer kept: a new hold expires as any other
        GateDecision.Allowed next = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 40, 100)));
        Awaitility.await().atMost(PATIENCE).until(
                () -> await(gate.reserve(generations(tenant, UUID.randomUUID(), 0, 100))) instanceof GateDecision.Allowed
                        && await(gate.used(tenant, PERIOD, "generations")) == 60L);
        assertTrue(await(gate.settle(next.reservation(), Map.of("generations", 1L))), "a late settle counts");
        assertEquals(61L, await(gate.used(tenant, PERIOD, "generations")));
    }

    @Test
    void quotaDecisionsWaitForTheEpochOfRebuiltCountersWhereMeteringKeepsThem() {
        QuotaGate awaiting = new QuotaGate(redis, vertx, new Configured(config, config.reservationTtl(), true), registry);
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        await(redis.execute("DEL", QuotaGate.EPOCH_KEY));
        try {
            GateDecision refused = await(awaiting.reserve(generations(tenant, user, 1, 100)));
            assertTrue(assertInstanceOf(GateDecision.Unavailable.class, refused).reason().contains("rebuilt"),
                    refused.toString());
            // rate limits alone do not wait: they count nothing the ledger knows
            allowed(awaiting.reserve(rated(tenant, user, 2, Duration.ofMinutes(1))));
            assertFalse(await(awaiting.rebuilt()));

            await(awaiting.markRebuilt("test-epoch"));
            assertTrue(await(awaiting.rebuilt()));
            allowed(awaiting.reserve(generations(tenant, user, 1, 100)));
        } finally {
            await(redis.execute("SET", QuotaGate.EPOCH_KEY, "test-epoch"));
        }
    }

    @Test
    void reconciliationNeverLowersACounterBelowWhatWasSettledButGivesBackHoldsNobodyWillSettle() {
        UUID tenant = UUID.randomUUID();
        GateDecision.Allowed used = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 10, 100)));
        assertTrue(await(gate.settle(used.reservation(), Map.of("generations", 7L))));
        GateDecision.Allowed live = allowed(gate.reserve(generations(tenant, UUID.randomUUID(), 5, 100)));
        gate.keepAlive(live.reservation());

        // the ledger lags: it has recorded 2 of the 7 settled; the counter keeps 7 settled plus 5 held
        QuotaGate.Drift lagging = await(gate.reconcile(tenant, PERIOD, PERIOD_ENDS, "generations", 2));
        assertEquals(new QuotaGate.Drift(0, 12, 5, 7), lagging);
        assertEquals(12L, await(gate.used(tenant, PERIOD, "generations")));

        // a hold whose reservation is gone from the tenant's set (it can never be swept) is units nobody settles
        await(redis.execute("ZREM", "tg:{" + tenant + "}:res", live.reservation().id()));
        QuotaGate.Drift phantom = await(gate.reconcile(tenant, PERIOD, PERIOD_ENDS, "generations", 2));
        assertEquals(-5, phantom.drift());
        assertEquals(7L, await(gate.used(tenant, PERIOD, "generations")));

        // Redis lost what was settled (a restart, a flush): the ledger's total is what is known
        await(redis.execute("DEL", "tg:{" + tenant + "}:q:" + PERIOD + ":generations",
                "tg:{" + tenant + "}:s:" + PERIOD + ":generations"));
        QuotaGate.Drift lost = await(gate.reconcile(tenant, PERIOD, PERIOD_ENDS, "generations", 9));
        assertEquals(9, lost.drift());
        assertEquals(9L, await(gate.used(tenant, PERIOD, "generations")));
        assertTrue(await(gate.settle(live.reservation(), Map.of("generations", 5L))), "the call settles after all");
    }

    /**
     * The gate's configuration with another reservation lifetime, and waiting or not for the counters' epoch (as
     * where metering-service runs).
     */
    private record Configured(GateConfig config, Duration reservationTtl, boolean awaitCounterRebuild)
            implements
                GateConfig {

        public Duration counterRetention() {
            return config.counterRetention();
        }

        public Duration longestHold() {
            return config.longestHold();
        }

        public Duration redisTimeout() {
            return config.redisTimeout();
        }

        public String upgradeUrl() {
            return config.upgradeUrl();
        }

        public WhenRedisUnavailable whenRedisUnavailable() {
            return config.whenRedisUnavailable();
        }
    }

    @Test
    void aUsersBurstIsLimitedWithoutStarvingTheTenantsOtherUsers() {
        UUID tenant = UUID.randomUUID();
        UUID busy = UUID.randomUUID();
        UUID quiet = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            GateDecision.Allowed allowed = allowed(gate.reserve(rated(tenant, busy, 5, Duration.ofMinutes(1))));
            assertEquals(4 - i, allowed.rate().remaining(), "requests left in the window after request " + (i + 1));
            assertEquals("user-minute", allowed.rate().rule().name());
        }
        GateDecision.RateLimited limited = assertInstanceOf(GateDecision.RateLimited.class,
                await(gate.reserve(rated(tenant, busy, 5, Duration.ofMinutes(1)))));
        assertEquals("user-minute", limited.rule().name());
        assertTrue(limited.retryAfter().compareTo(Duration.ofSeconds(12)) <= 0
                && limited.retryAfter().compareTo(Duration.ZERO) > 0, "retry after one interval: " + limited.retryAfter());

        for (int i = 0; i < 5; i++) {
            allowed(gate.reserve(rated(tenant, quiet, 5, Duration.ofMinutes(1))));
        }
    }

    @Test
    void aRateWindowLetsRequestsThroughAgainOnceItHasPassed() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            allowed(gate.reserve(rated(tenant, user, 3, Duration.ofSeconds(1))));
        }
        assertInstanceOf(GateDecision.RateLimited.class, await(gate.reserve(rated(tenant, user, 3, Duration.ofSeconds(1)))));
        Awaitility.await().atMost(PATIENCE).until(
                () -> await(gate.reserve(rated(tenant, user, 3, Duration.ofSeconds(1)))) instanceof GateDecision.Allowed);
    }

    @Test
    void tenantsNeverShareCounters() {
        UUID full = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        allowed(gate.reserve(generations(full, UUID.randomUUID(), 100, 100)));
        allowed(gate.reserve(generations(other, UUID.randomUUID(), 7, 100)));
        assertEquals(7L, await(gate.used(other, PERIOD, "generations")));
        assertEquals(100L, await(gate.used(full, PERIOD, "generations")));
    }

    @Test
    void whileRedisIsAwayQuotasAreRefusedAndRateLimitsHoldLocallyThenRedisIsUsedAgain() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        DevStack.shared().redis().stop();
        try {
            assertInstanceOf(GateDecision.Unavailable.class, await(gate.reserve(generations(tenant, user, 1, 100))));
            allowed(gate.reserve(rated(tenant, user, 2, Duration.ofMinutes(1))));
            allowed(gate.reserve(rated(tenant, user, 2, Duration.ofMinutes(1))));
            assertInstanceOf(GateDecision.RateLimited.class,
                    await(gate.reserve(rated(tenant, user, 2, Duration.ofMinutes(1)))));
        } finally {
            DevStack.shared().redis().restart();
        }
        Awaitility.await().atMost(PATIENCE)
                .until(() -> await(gate.reserve(generations(tenant, user, 1, 100))) instanceof GateDecision.Allowed);
    }

    @Test
    void aRedisThatStopsAnsweringCountsAsUnreachableOnceTheTimeoutPasses() {
        UUID tenant = UUID.randomUUID();
        // Redis holds every client's commands for 3 s; the gate waits 1 s (tollgate.gate.redis-timeout)
        await(replicaRedis.execute("CLIENT", "PAUSE", "3000", "ALL"));
        GateDecision decision = await(gate.reserve(generations(tenant, UUID.randomUUID(), 1, 100)));
        assertInstanceOf(GateDecision.Unavailable.class, decision,
                "a gate that waited for Redis to answer would have admitted the request after the pause");
        Awaitility.await().atMost(PATIENCE).until(
                () -> await(gate.reserve(generations(tenant, UUID.randomUUID(), 1, 100))) instanceof GateDecision.Allowed);
    }

    @Test
    void aKeysOwnBudgetRefusesItWhileTheTenantsOtherKeysGoOn() {
        QuotaGate gate = lasting();
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UUID budgeted = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        // the tenant's quota is 100 generations; the key's own budget 3
        for (int i = 0; i < 3; i++) {
            GateDecision.Allowed held = allowed(gate.reserve(generations(tenant, user, 1, 100)
                    .underKey("key", budgeted, Map.of("generations", 3L), 0, 0, 0)));
            assertEquals(100 - 1 - i, held.remaining().get("generations"), "the tenant's counter counts it too");
            assertEquals(List.of(budgeted), held.reservation().budgetKeys());
            assertTrue(await(gate.settle(held.reservation(), Map.of("generations", 1L))));
        }
        GateDecision refused = await(gate.reserve(generations(tenant, user, 1, 100)
                .underKey("key", budgeted, Map.of("generations", 3L), 0, 0, 0)));
        GateDecision.QuotaExceeded exceeded = assertInstanceOf(GateDecision.QuotaExceeded.class, refused);
        assertEquals(budgeted, exceeded.apiKeyId(), "the key's own budget names itself");
        assertEquals("generations", exceeded.metric());
        assertEquals(3, exceeded.used());
        assertEquals(3, exceeded.limit());
        // another key of the tenant, and the tenant without a key, go on
        allowed(gate.reserve(generations(tenant, user, 1, 100)
                .underKey("key", other, Map.of("generations", 3L), 0, 0, 0)));
        allowed(gate.reserve(generations(tenant, user, 1, 100)));
        assertEquals(3L, await(gate.used(tenant, PERIOD, GateRequest.keyMetric(budgeted, "generations"))));
        assertEquals(5L, await(gate.used(tenant, PERIOD, "generations")));

        // when the key's budget and the tenant's quota would both refuse, the key's is named
        GateDecision both = await(gate.reserve(generations(tenant, user, 1, 5)
                .underKey("key", budgeted, Map.of("generations", 3L), 0, 0, 0)));
        assertEquals(budgeted, assertInstanceOf(GateDecision.QuotaExceeded.class, both).apiKeyId());
    }

    @Test
    void theKeysAManagingKeyCreatedShareItsBudgetWhateverTheirOwn() {
        QuotaGate gate = lasting();
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UUID manager = UUID.randomUUID();
        // two keys of 5 generations each, created by a key whose own budget is 3: 3 in all
        List<UUID> children = List.of(UUID.randomUUID(), UUID.randomUUID());
        int admitted = 0;
        GateDecision last = null;
        for (int i = 0; i < 6; i++) {
            last = await(gate.reserve(generations(tenant, user, 1, 100)
                    .underKey("managing-key", manager, Map.of("generations", 3L), 0, 0, 0)
                    .underKey("key", children.get(i % 2), Map.of("generations", 5L), 0, 0, 0)));
            if (last instanceof GateDecision.Allowed allowed) {
                admitted++;
                assertEquals(List.of(manager, children.get(i % 2)), allowed.reservation().budgetKeys());
                assertTrue(await(gate.settle(allowed.reservation(), Map.of("generations", 1L))));
            }
        }
        assertEquals(3, admitted);
        assertEquals(manager, assertInstanceOf(GateDecision.QuotaExceeded.class, last).apiKeyId());
        assertEquals(3L, await(gate.used(tenant, PERIOD, GateRequest.keyMetric(manager, "generations"))));

        // its rate too: 2 requests a minute for the managing key and all it created together
        UUID pacer = UUID.randomUUID();
        allowed(gate.reserve(generations(tenant, user, 1, 100).underKey("key", pacer, Map.of(), 2, 0, 0)));
        allowed(gate.reserve(generations(tenant, user, 1, 100).underKey("managing-key", pacer, Map.of(), 2, 0, 0)
                .underKey("key", UUID.randomUUID(), Map.of(), 0, 0, 0)));
        GateDecision.RateLimited shared = assertInstanceOf(GateDecision.RateLimited.class,
                await(gate.reserve(generations(tenant, user, 1, 100).underKey("managing-key", pacer, Map.of(), 2, 0, 0)
                        .underKey("key", UUID.randomUUID(), Map.of(), 0, 0, 0))));
        assertEquals("managing-key-minute", shared.rule().name());
    }

    @Test
    void aKeyThatSettlesWithoutRedisAtReserveStillCountsInItsOwnCounter() {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        // a reservation made while Redis was away holds nothing; its settle counts the actual units in full
        Reservation unheld = new Reservation(UUID.randomUUID().toString(), tenant, PERIOD, PERIOD_ENDS, Map.of(),
                Instant.now().plusSeconds(60), List.of(key));
        assertTrue(await(gate.settle(unheld, Map.of("generations", 2L, "input_tokens", 40L))));
        assertEquals(2L, await(gate.used(tenant, PERIOD, GateRequest.keyMetric(key, "generations"))));
        assertEquals(40L, await(gate.used(tenant, PERIOD, GateRequest.keyMetric(key, "input_tokens"))));
    }

    @Test
    void aKeysRequestsAndTokensPerMinuteRefuseItWithTheRuleThatWasHit() {
        QuotaGate gate = lasting();
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        // 2 requests a minute: the third is refused by the key's rule, with a wait of about half a minute
        for (int i = 0; i < 2; i++) {
            allowed(gate.reserve(generations(tenant, user, 1, 100).underKey("key", key, Map.of(), 2, 0, 10)));
        }
        GateDecision.RateLimited byRequests = assertInstanceOf(GateDecision.RateLimited.class,
                await(gate.reserve(generations(tenant, user, 1, 100).underKey("key", key, Map.of(), 2, 0, 10))));
        assertEquals("key-minute", byRequests.rule().name());
        assertTrue(byRequests.retryAfter().toSeconds() > 20 && byRequests.retryAfter().toSeconds() <= 30,
                byRequests.retryAfter().toString());

        // 1,000 tokens a minute: 600 + 400 fit, another 100 do not; a request of 1,001 never fits
        UUID tokens = UUID.randomUUID();
        long firstAt = System.nanoTime();
        GateDecision.Allowed first = allowed(gate.reserve(generations(tenant, user, 1, 100)
                .underKey("key", tokens, Map.of(), 0, 1000, 600)));
        assertEquals(null, first.rate(), "the headers count requests; a rule on tokens is not one of them");
        allowed(gate.reserve(generations(tenant, user, 1, 100).underKey("key", tokens, Map.of(), 0, 1000, 400)));
        GateDecision.RateLimited byTokens = assertInstanceOf(GateDecision.RateLimited.class,
                await(gate.reserve(generations(tenant, user, 1, 100).underKey("key", tokens, Map.of(), 0, 1000, 100))));
        assertEquals("key-tokens-minute", byTokens.rule().name());
        assertEquals(RateRule.Unit.TOKENS, byTokens.rule().unit());
        long since = (System.nanoTime() - firstAt) / 1_000_000;
        assertTrue(byTokens.retryAfter().toMillis() >= 6000 - since - 50 && byTokens.retryAfter().toMillis() <= 6000,
                "100 tokens at 1,000 a minute come back 6 s after the first 1,000 (" + since + " ms ago): "
                        + byTokens.retryAfter());
        GateDecision.RateLimited tooLarge = assertInstanceOf(GateDecision.RateLimited.class,
                await(gate.reserve(generations(tenant, user, 1, 100).underKey("key", UUID.randomUUID(), Map.of(), 0,
                        1000, 1001))));
        assertTrue(tooLarge.rule().neverFits());
        // the refusals held nothing: the tenant's counter holds the four admitted requests only
        assertEquals(4L, await(gate.used(tenant, PERIOD, "generations")));
    }

    /** A gate whose holds outlive the test (the tests' reservation TTL of 1 s would give unsettled ones back). */
    private QuotaGate lasting() {
        return new QuotaGate(redis, vertx, new Configured(config, Duration.ofMinutes(2), config.awaitCounterRebuild()),
                registry);
    }

    private static GateRequest generations(UUID tenant, UUID user, long amount, long limit) {
        return new GateRequest(tenant, user, PERIOD, PERIOD_ENDS, Map.of("generations", amount),
                Map.of("generations", limit), List.of());
    }

    private static GateRequest rated(UUID tenant, UUID user, long limit, Duration window) {
        return new GateRequest(tenant, user, PERIOD, PERIOD_ENDS, Map.of(), Map.of(),
                List.of(new RateRule("user-minute", "user:" + user, limit, window)));
    }

    private static GateDecision.Allowed allowed(Uni<GateDecision> decision) {
        return assertInstanceOf(GateDecision.Allowed.class, await(decision));
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(PATIENCE);
    }
}
