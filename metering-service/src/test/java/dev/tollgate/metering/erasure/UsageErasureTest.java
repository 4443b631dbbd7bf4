package dev.tollgate.metering.erasure;

import static dev.tollgate.metering.MeteringEvents.as;
import static dev.tollgate.metering.MeteringEvents.deletion;
import static dev.tollgate.metering.MeteringEvents.generation;
import static dev.tollgate.metering.MeteringEvents.send;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** account.deleted: the ledger keeps every unit for invoices and forgets whose they were. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class UsageErasureTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Test
    void aUsersUsageIsExportedToAccountServiceOnly() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        Instant now = Instant.now();
        send(codec, generation(tenant, user, now, "small", 40), generation(tenant, UUID.randomUUID(), now, "small", 7));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.usage_events where user_id = ?",
                user) == 1);

        Callers.asService("account").get("/usage/internal/users/" + user + "/export").then().statusCode(200)
                .body("usageEvents", hasSize(1))
                .body("usageEvents[0].tenantId", equalTo(tenant.toString()))
                .body("usageEvents[0].quantities.output_tokens", equalTo(40))
                .body("monthlyTotals.find { it.metric == 'output_tokens' }.units", equalTo(40));
        as(user, tenant, "owner").get("/usage/internal/users/" + user + "/export").then().statusCode(403);
    }

    @Test
    void anErasedUsersUsageStaysCountedWithoutTheirId() {
        UUID tenant = UUID.randomUUID();
        UUID leaving = UUID.randomUUID();
        UUID staying = UUID.randomUUID();
        Instant now = Instant.now();
        send(codec, generation(tenant, leaving, now, "small", 100), generation(tenant, leaving, now, "large", 200),
                generation(tenant, staying, now, "small", 5));
        await().atMost(PATIENCE)
                .until(() -> rows("usage_events", tenant, leaving) == 2 && rows("usage_events", tenant, staying) == 1);

        AccountDeleted request = deletion(tenant, leaving, false);
        send(codec, request, request);

        AccountPurged receipt = receipt(request);
        assertNotNull(receipt, "metering sent its receipt");
        assertEquals("metering", receipt.service());
        assertEquals(2L, receipt.counts().get("usage_events"));
        assertEquals(0, rows("usage_events", tenant, leaving));
        assertEquals(0, rows("usage_aggregates", tenant, leaving));
        assertEquals(1, rows("usage_events", tenant, staying), "another user's usage is untouched");
        assertEquals(1, Sql.number("select count(*) from metering.outbox where topic = 'account.purged' and payload like ?",
                "%" + request.deletionId() + "%"), "the repeated request was applied once");

        // the tenant's totals are whole: 3 generations, 305 output tokens
        as(staying, tenant, "admin").get("/usage").then().statusCode(200)
                .body("metrics.find { it.metric == 'generations' }.used", equalTo(3))
                .body("metrics.find { it.metric == 'output_tokens' }.used", equalTo(305));

        // usage of the erased user's that was still on its way is counted without their id
        send(codec, generation(tenant, leaving, now, "small", 7));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.usage_events "
                + "where tenant_id = ? and user_id is null", tenant) == 3);
        assertEquals(0, rows("usage_events", tenant, leaving));
        assertEquals(0, rows("usage_aggregates", tenant, leaving));
    }

    @Test
    void everyDeletedTenantsUsageGoesAndNothingArrivingLaterBringsItBack() {
        UUID personal = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        UUID owner = UUID.randomUUID();
        UUID member = UUID.randomUUID();
        send(codec, generation(personal, owner, Instant.now(), "small", 10),
                generation(team, owner, Instant.now(), "small", 20), generation(team, member, Instant.now(), "small", 30),
                plan(team, 1));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.usage_events where tenant_id in "
                + "(?, ?)", personal, team) == 3
                && Sql.number("select count(*) from metering.entitlements where tenant_id = ?", team) == 1);

        AccountDeleted request = AccountDeleted.of(personal, UUID.randomUUID(), owner, List.of(personal, team));
        send(codec, request);

        assertNotNull(receipt(request));
        for (String table : List.of("usage_events", "usage_aggregates", "entitlements")) {
            assertEquals(0, Sql.number("select count(*) from metering." + table + " where tenant_id in (?, ?)", personal,
                    team), table);
        }

        // usage still on its way, and billing's announcement of the cancellation, arrive after the erasure
        UsageRecorded lateUsage = generation(team, member, Instant.now(), "small", 5);
        SubscriptionChanged latePlan = plan(team, 2);
        send(codec, lateUsage, latePlan);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.inbox where event_id = ?",
                latePlan.eventId()) == 1);
        // the ledger reads without the inbox: an event of another tenant behind it on its partition (the same key)
        // shows the ledger went past it
        UsageRecorded marker = generation(UUID.randomUUID(), member, Instant.now(), "small", 1);
        Topics.send("usage.recorded", team.toString(), codec.encode(marker));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.usage_events where event_id = ?",
                marker.eventId()) == 1);
        for (String table : List.of("usage_events", "usage_aggregates", "entitlements")) {
            assertEquals(0, Sql.number("select count(*) from metering." + table + " where tenant_id = ?", team), table);
        }
    }

    private static SubscriptionChanged plan(UUID tenant, long version) {
        return SubscriptionChanged.of(tenant, "pro", "active", Instant.now(), Instant.now().plus(Duration.ofDays(30)),
                new Entitlements(Map.of("generations", 1000L), new Entitlements.RateLimits(60, 1000, 600, 10_000, 10),
                        Set.of("small"), Set.of(), false),
                version);
    }

    private AccountPurged receipt(AccountDeleted request) {
        String found = Topics.find("account.purged", PATIENCE,
                value -> value.contains(request.deletionId().toString()) && value.contains("\"metering\""));
        return found == null ? null : codec.decode(found, EventType.ACCOUNT_PURGED);
    }

    private static long rows(String table, UUID tenant, UUID user) {
        return Sql.number("select count(*) from metering." + table + " where tenant_id = ? and user_id = ?", tenant, user);
    }
}
