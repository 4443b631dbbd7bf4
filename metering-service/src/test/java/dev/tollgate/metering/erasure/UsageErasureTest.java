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
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
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
    void aDeletedTenantsEventsGoAndItsTotalsStayWithoutUsers() {
        UUID tenant = UUID.randomUUID();
        UUID owner = UUID.randomUUID();
        UUID member = UUID.randomUUID();
        send(codec, generation(tenant, owner, Instant.now(), "small", 10),
                generation(tenant, member, Instant.now(), "small", 20));
        await().atMost(PATIENCE)
                .until(() -> Sql.number("select count(*) from metering.usage_events where tenant_id = ?", tenant) == 2);

        AccountDeleted request = deletion(tenant, owner, true);
        send(codec, request);

        assertNotNull(receipt(request));
        assertEquals(0, Sql.number("select count(*) from metering.usage_events where tenant_id = ?", tenant));
        assertEquals(0, Sql.number("select count(*) from metering.usage_aggregates where tenant_id = ? "
                + "and user_id <> '00000000-0000-0000-0000-000000000000'", tenant));
        assertEquals(30, Sql.number("select sum(units) from metering.usage_aggregates where tenant_id = ? "
                + "and metric = 'output_tokens'", tenant));
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
