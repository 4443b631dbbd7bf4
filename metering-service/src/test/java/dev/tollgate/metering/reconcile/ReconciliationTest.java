package dev.tollgate.metering.reconcile;

import static dev.tollgate.metering.MeteringEvents.generation;
import static dev.tollgate.metering.MeteringEvents.send;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.common.plan.FreeTier;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.gate.GateDecision;
import dev.tollgate.gate.GateRequest;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gate's counters against the ledger: Redis restarted mid-run loses its counters, the gate refuses quota
 * decisions while it is away and until metering has rebuilt the counters from the ledger, the ledger loses nothing;
 * and a ledger that lags never lowers a counter below what was settled.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class ReconciliationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Inject
    QuotaGate gate;

    @Inject
    ReconcileCounters reconcile;

    @Inject
    FreeTier freeTier;

    @Inject
    Scheduler scheduler;

    @Test
    void aRedisThatComesBackEmptyRefusesQuotaDecisionsUntilItsCountersAreRebuiltFromTheLedger() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        BillingPeriod period = BillingPeriod.calendarMonth(Instant.now());
        await().atMost(PATIENCE).until(() -> join(gate.rebuilt()));
        // 40 generations pass the gate and are settled, and their usage reaches the ledger, as generation-service does it
        for (int i = 0; i < 40; i++) {
            GateDecision.Allowed allowed = assertInstanceOf(GateDecision.Allowed.class,
                    join(gate.reserve(oneGeneration(tenant, user, period))));
            assertTrue(join(gate.settle(allowed.reservation(), Map.of(UsageRecorded.GENERATIONS, 1L))));
            send(codec, generation(tenant, user, Instant.now(), "small", 10));
        }
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 40);
        assertEquals(40L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)));

        scheduler.pause("counter-epoch"); // the rebuild waits until the test has seen the refusals
        try {
            DevStack.shared().redis().stop();
            try {
                assertInstanceOf(GateDecision.Unavailable.class, join(gate.reserve(oneGeneration(tenant, user, period))),
                        "quotas are refused while Redis is away (the documented policy)");
                send(codec, generation(tenant, user, Instant.now(), "small", 10));
                await().atMost(PATIENCE).until(() -> ledger(tenant) == 41);
            } finally {
                DevStack.shared().redis().restart();
            }
            // Redis is back, empty: it knows nothing of the 41 used, so no quota decision is taken on its word
            await().atMost(PATIENCE).until(() -> join(gate.reserve(nothing(tenant, period))) instanceof GateDecision.Allowed);
            assertFalse(join(gate.rebuilt()));
            GateDecision unrebuilt = join(gate.reserve(generations(tenant, user, period, 60)));
            assertTrue(assertInstanceOf(GateDecision.Unavailable.class, unrebuilt).reason().contains("rebuilt"),
                    unrebuilt.toString());
        } finally {
            scheduler.resume("counter-epoch");
        }

        // metering rebuilds every counter from the ledger, then marks Redis rebuilt: decisions go on, exact
        await().atMost(PATIENCE).until(() -> join(gate.rebuilt()));
        assertEquals(41L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)));
        GateDecision overQuota = join(gate.reserve(generations(tenant, user, period, 60)));
        assertEquals(41L, assertInstanceOf(GateDecision.QuotaExceeded.class, overQuota).used());
        assertInstanceOf(GateDecision.Allowed.class, join(gate.reserve(generations(tenant, user, period, 59))));
        RestAssured.get("/q/metrics").then().body(containsString("tollgate_quota_rebuilds_total"));
    }

    @Test
    void aLaggingLedgerNeverLowersACounterBelowWhatWasSettled() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        BillingPeriod period = BillingPeriod.calendarMonth(Instant.now());
        await().atMost(PATIENCE).until(() -> join(gate.rebuilt()));
        send(codec, generation(tenant, user, Instant.now(), "small", 10));
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 1);
        // seven generations settled in Redis whose usage has not reached the ledger yet (metering lags, Kafka is away)
        GateDecision.Allowed allowed = assertInstanceOf(GateDecision.Allowed.class,
                join(gate.reserve(generations(tenant, user, period, 7))));
        assertTrue(join(gate.settle(allowed.reservation(), Map.of(UsageRecorded.GENERATIONS, 7L))));

        for (int pass = 0; pass < 3; pass++) {
            join(reconcile.reconcile());
            assertEquals(7L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)),
                    "pass " + pass + ": the usage on its way to the ledger still counts");
        }
        // 100 - 7 left: a request for 94 is refused, 93 admitted
        assertInstanceOf(GateDecision.QuotaExceeded.class, join(gate.reserve(generations(tenant, user, period, 94))));
    }

    private GateRequest oneGeneration(UUID tenant, UUID user, BillingPeriod period) {
        return generations(tenant, user, period, 1);
    }

    private GateRequest generations(UUID tenant, UUID user, BillingPeriod period, long amount) {
        Entitlements free = freeTier.entitlements();
        // rate limits are not what this test is about
        Entitlements unlimitedRate = new Entitlements(free.monthlyQuotas(), new Entitlements.RateLimits(0, 0, 0, 0, 0),
                free.allowedModels(), free.features(), false);
        return GateRequest.forPlan(tenant, user, period, unlimitedRate, Map.of(UsageRecorded.GENERATIONS, amount));
    }

    private static GateRequest nothing(UUID tenant, BillingPeriod period) {
        return new GateRequest(tenant, null, period.id(), period.end(), Map.of(), Map.of(), List.of());
    }

    private static long ledger(UUID tenant) {
        return Sql.number("select coalesce(sum(units), 0) from metering.usage_aggregates where tenant_id = ? "
                + "and metric = 'generations'", tenant);
    }

    private static <T> T join(Uni<T> uni) {
        return uni.await().atMost(PATIENCE);
    }
}
