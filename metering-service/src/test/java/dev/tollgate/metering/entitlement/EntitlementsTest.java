package dev.tollgate.metering.entitlement;

import static dev.tollgate.metering.MeteringEvents.as;
import static dev.tollgate.metering.MeteringEvents.generation;
import static dev.tollgate.metering.MeteringEvents.send;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A tenant's entitlements: the free tier until billing announces a plan, then the newest announcement. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class EntitlementsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Test
    void aTenantWithoutSubscriptionHasTheFreeTierInCalendarMonths() {
        UUID tenant = UUID.randomUUID();
        BillingPeriod month = BillingPeriod.calendarMonth(Instant.now());
        as(UUID.randomUUID(), tenant, "member").get("/usage/limits").then().statusCode(200)
                .body("plan", equalTo("free"))
                .body("freeTier", equalTo(true))
                .body("monthlyQuotas.generations", equalTo(100))
                .body("rateLimits.userPerMinute", equalTo(60))
                .body("rateLimits.userPerHour", equalTo(1000))
                .body("rateLimits.burstPerSecond", equalTo(10))
                .body("allowedModels", org.hamcrest.Matchers.containsInAnyOrder("small", "text-embedding-3-small"))
                .body("overageAllowed", equalTo(false))
                .body("periodStart", equalTo(month.start().toString()))
                .body("periodEnd", equalTo(month.end().toString()));
    }

    @Test
    void theNewestSubscriptionWinsWhateverOrderTheyArriveIn() {
        UUID tenant = UUID.randomUUID();
        Instant anchor = Instant.parse("2026-01-31T09:30:00Z");
        SubscriptionChanged pro = subscription(tenant, "pro", Instant.now(), anchor, 10_000);
        SubscriptionChanged olderBasic = subscription(tenant, "basic", Instant.now().minusSeconds(60), anchor, 1_000);

        send(codec, pro, olderBasic, pro);

        BillingPeriod period = BillingPeriod.containing(anchor, Instant.now());
        await().atMost(PATIENCE).untilAsserted(() -> as(UUID.randomUUID(), tenant, "member").get("/usage/limits")
                .then().statusCode(200).body("plan", equalTo("pro")));
        // the older announcement came after the newer one and changed nothing; the repeat was applied once
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> Sql.number(
                "select count(*) from metering.inbox where event_id = ? or event_id = ?", pro.eventId(),
                olderBasic.eventId()) == 2);
        as(UUID.randomUUID(), tenant, "member").get("/usage/limits").then().statusCode(200)
                .body("plan", equalTo("pro"))
                .body("freeTier", equalTo(false))
                .body("monthlyQuotas.generations", equalTo(10_000))
                .body("features", equalTo(List.of("history")))
                .body("periodStart", equalTo(period.start().toString()))
                .body("periodEnd", equalTo(period.end().toString()));
    }

    @Test
    void theHighestAnnouncementWinsWhateverTheClocksOfBillingsReplicasSay() {
        UUID tenant = UUID.randomUUID();
        Instant anchor = Instant.parse("2026-02-03T10:00:00Z");
        // the second announcement came from a replica whose clock is a minute behind
        SubscriptionChanged first = subscription(tenant, "basic", Instant.now(), anchor, 1_000, 1);
        SubscriptionChanged second = subscription(tenant, "pro", Instant.now().minusSeconds(60), anchor, 10_000, 2);

        send(codec, first, second);

        await().atMost(PATIENCE).untilAsserted(() -> as(UUID.randomUUID(), tenant, "member").get("/usage/limits")
                .then().statusCode(200).body("plan", equalTo("pro")));
        // and an earlier announcement arriving late, however new its clock says it is, changes nothing
        SubscriptionChanged late = subscription(tenant, "basic", Instant.now().plusSeconds(60), anchor, 1_000, 1);
        send(codec, late);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.inbox where event_id = ?",
                late.eventId()) == 1);
        assertEquals(2, Sql.number("select version from metering.entitlements where tenant_id = ?", tenant));
        as(UUID.randomUUID(), tenant, "member").get("/usage/limits").then().statusCode(200).body("plan", equalTo("pro"));
    }

    @Test
    void usageCountsInThePeriodOfTheTenantsBillingAnchor() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        Instant anchor = Instant.parse("2026-10-17T09:30:00Z");
        send(codec, subscription(tenant, "pro", Instant.now(), anchor, 10_000));
        await().atMost(PATIENCE).untilAsserted(() -> as(user, tenant, "member").get("/usage/limits")
                .then().body("plan", equalTo("pro")));

        send(codec, generation(tenant, user, Instant.parse("2026-11-17T09:29:59Z"), "small", 10),
                generation(tenant, user, Instant.parse("2026-11-17T09:30:00Z"), "small", 20));

        await().atMost(PATIENCE).until(() -> units(tenant, "2026-11-17T09:30:00Z") == 20);
        assertEquals(10, units(tenant, "2026-10-17T09:30:00Z"));
    }

    static SubscriptionChanged subscription(UUID tenant, String plan, Instant occurredAt, Instant anchor,
            long generations) {
        return subscription(tenant, plan, occurredAt, anchor, generations, 0);
    }

    static SubscriptionChanged subscription(UUID tenant, String plan, Instant occurredAt, Instant anchor,
            long generations, long version) {
        Entitlements entitlements = new Entitlements(Map.of("generations", generations),
                new Entitlements.RateLimits(120, 5000, 1200, 50_000, 20), Set.of("small", "large"), Set.of("history"),
                false);
        return new SubscriptionChanged(UUID.randomUUID(), occurredAt, tenant, SubscriptionChanged.SCHEMA_VERSION, plan,
                "active", anchor, anchor.atZone(ZoneOffset.UTC).plusMonths(1).toInstant(), entitlements, version);
    }

    private static long units(UUID tenant, String periodStart) {
        return Sql.number("select coalesce(sum(units), 0) from metering.usage_aggregates "
                + "where tenant_id = ? and period_start = ? and metric = 'output_tokens'", tenant,
                Instant.parse(periodStart).atOffset(ZoneOffset.UTC));
    }
}
