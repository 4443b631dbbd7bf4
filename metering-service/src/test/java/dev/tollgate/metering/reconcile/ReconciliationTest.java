package dev.tollgate.metering.reconcile;

import static dev.tollgate.metering.MeteringEvents.generation;
import static dev.tollgate.metering.MeteringEvents.send;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * decisions while it is away and works again without a restart, the ledger loses nothing, and reconciliation
 * puts the lost units back.
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

    @Test
    void countersLostInARedisRestartAreRestoredFromTheLedger() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        BillingPeriod period = BillingPeriod.calendarMonth(Instant.now());
        // 40 generations pass the gate and are settled, and their usage reaches the ledger, as generation-service does it
        for (int i = 0; i < 40; i++) {
            GateDecision.Allowed allowed = assertInstanceOf(GateDecision.Allowed.class,
                    join(gate.reserve(oneGeneration(tenant, user, period))));
            assertTrue(join(gate.settle(allowed.reservation(), Map.of(UsageRecorded.GENERATIONS, 1L))));
            send(codec, generation(tenant, user, Instant.now(), "small", 10));
        }
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 40);
        assertEquals(40L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)));

        DevStack.shared().redis().stop();
        try {
            assertInstanceOf(GateDecision.Unavailable.class, join(gate.reserve(oneGeneration(tenant, user, period))),
                    "quotas are refused while Redis is away (the documented policy)");
            send(codec, generation(tenant, user, Instant.now(), "small", 10));
            await().atMost(PATIENCE).until(() -> ledger(tenant) == 41);
        } finally {
            DevStack.shared().redis().restart();
        }

        // Redis came back empty; the gate works again without a restart, but knows nothing of the 41 used
        await().atMost(PATIENCE).until(() -> join(gate.reserve(nothing(tenant, period))) instanceof GateDecision.Allowed);
        assertEquals(0L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)));

        long drift = join(reconcile.reconcile());

        assertTrue(drift >= 41, "the pass found at least this tenant's 41 lost units: " + drift);
        assertEquals(41L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)));
        GateDecision overQuota = join(gate.reserve(generations(tenant, user, period, 60)));
        assertEquals(41L, assertInstanceOf(GateDecision.QuotaExceeded.class, overQuota).used());
        assertInstanceOf(GateDecision.Allowed.class, join(gate.reserve(generations(tenant, user, period, 59))));
        RestAssured.get("/q/metrics").then().body(containsString("tollgate_quota_drift_units"));
    }

    @Test
    void aCounterAheadOfTheLedgerIsLoweredOnlyWhenTheGapOutlastsAPass() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        BillingPeriod period = BillingPeriod.calendarMonth(Instant.now());
        send(codec, generation(tenant, user, Instant.now(), "small", 10));
        await().atMost(PATIENCE).until(() -> ledger(tenant) == 1);
        // six generations settled in Redis whose usage never reaches the ledger
        GateDecision.Allowed allowed = assertInstanceOf(GateDecision.Allowed.class,
                join(gate.reserve(generations(tenant, user, period, 7))));
        assertTrue(join(gate.settle(allowed.reservation(), Map.of(UsageRecorded.GENERATIONS, 7L))));

        join(reconcile.reconcile());
        assertEquals(7L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)),
                "one pass only watches a counter ahead of the ledger: the usage may be on its way");
        join(reconcile.reconcile());
        assertEquals(1L, join(gate.used(tenant, period.id(), UsageRecorded.GENERATIONS)));
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
