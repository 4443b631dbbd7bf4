package dev.tollgate.metering.ledger;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * usage.recorded from the real broker into the ledger: once per event, in the period it happened in; an unreadable
 * record set aside as a dead letter for an operator.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class UsageLedgerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Test
    void repeatedAndLateEventsAreCountedOnceInTheirOwnPeriod() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UsageRecorded tenth = usage(tenant, user, "2026-11-10T12:00:00Z", 100);
        UsageRecorded twelfth = usage(tenant, user, "2026-11-12T12:00:00Z", 50);
        UsageRecorded lastMonth = usage(tenant, user, "2026-10-31T23:59:59Z", 10);

        // out of order, and the tenth three times, as relays that retried would deliver them
        send(twelfth, tenth, tenth, lastMonth, tenth);

        await().atMost(PATIENCE).until(() -> units(tenant, "2026-10-01T00:00:00Z", "generations") == 1);
        await().atMost(PATIENCE).until(() -> units(tenant, "2026-11-01T00:00:00Z", "generations") == 2);
        assertEquals(150, units(tenant, "2026-11-01T00:00:00Z", "output_tokens"));
        assertEquals(10, units(tenant, "2026-10-01T00:00:00Z", "output_tokens"));
        assertEquals(3, Sql.number("select count(*) from metering.usage_events where tenant_id = ?", tenant));
    }

    @Test
    void anotherTenantsUsageStaysItsOwn() {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        send(usage(mine, UUID.randomUUID(), "2026-11-03T08:00:00Z", 5),
                usage(theirs, UUID.randomUUID(), "2026-11-03T08:00:00Z", 700));

        await().atMost(PATIENCE).until(() -> units(theirs, "2026-11-01T00:00:00Z", "output_tokens") == 700);
        await().atMost(PATIENCE).until(() -> units(mine, "2026-11-01T00:00:00Z", "output_tokens") == 5);
    }

    @Test
    void anUnreadableRecordBecomesADeadLetterThatOnlyAnOperatorSeesReDrivesAndDiscards() {
        UUID tenant = UUID.randomUUID();
        String poison = "{\"tenantId\": \"" + tenant + "\", \"quantities\": ";
        Topics.send("usage.recorded", tenant.toString(), poison);
        send(usage(tenant, UUID.randomUUID(), "2026-11-20T10:00:00Z", 3));

        // the partition goes on; the record is kept aside
        await().atMost(PATIENCE).until(() -> units(tenant, "2026-11-01T00:00:00Z", "output_tokens") == 3);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from metering.dead_letter "
                + "where consumer = 'metering-ledger' and payload = ? and resolved_at is null", poison) == 1);
        long id = Sql.number("select id from metering.dead_letter where payload = ?", poison);
        String letters = "/usage/operator/dead-letters";

        // a tenant's owner is no platform operator
        Callers.as(UUID.randomUUID(), tenant, "owner").get(letters).then().statusCode(403);
        Callers.as(AuthorizationMatrix.OPERATOR, tenant, "member").get(letters).then().statusCode(200)
                .body("find { it.id == " + id + " }.consumer", is("metering-ledger"))
                .body("find { it.id == " + id + " }.topic", is("usage.recorded"))
                .body("find { it.id == " + id + " }.lastError", containsString("unreadable usage.recorded event"));

        // re-driven, it still cannot be read: the attempt is counted and it stays open
        Callers.as(AuthorizationMatrix.OPERATOR, tenant, "member").post(letters + "/" + id + "/redrive").then()
                .statusCode(200).body("failed", is(1)).body("outcomes[0].result", is("failed"));
        assertEquals(2, Sql.number("select attempts from metering.dead_letter where id = ?", id));

        // discarded with a reason, never without one
        Callers.as(AuthorizationMatrix.OPERATOR, tenant, "member").contentType("application/json").body("{}")
                .post(letters + "/" + id + "/discard").then().statusCode(400)
                .body("type", endsWith("/reason-required"));
        Callers.as(AuthorizationMatrix.OPERATOR, tenant, "member").contentType("application/json")
                .body("{\"reason\": \"written by a test, not by a producer\"}")
                .post(letters + "/" + id + "/discard").then().statusCode(200)
                .body("resolution", is("discarded: written by a test, not by a producer"));
        Callers.as(AuthorizationMatrix.OPERATOR, tenant, "member").post(letters + "/" + id + "/redrive").then()
                .statusCode(404);
        Callers.as(AuthorizationMatrix.OPERATOR, tenant, "member").get(letters).then().statusCode(200)
                .body("find { it.id == " + id + " }", nullValue());
    }

    private static UsageRecorded usage(UUID tenant, UUID user, String at, long outputTokens) {
        return new UsageRecorded(UUID.randomUUID(), Instant.parse(at), tenant, UsageRecorded.SCHEMA_VERSION, user,
                "generation", "small", "g-" + UUID.randomUUID(),
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS, outputTokens));
    }

    private static long units(UUID tenant, String period, String metric) {
        return Sql.number("select coalesce(sum(units), 0) from metering.usage_aggregates "
                + "where tenant_id = ? and period_start = ? and metric = ?", tenant,
                Instant.parse(period).atOffset(ZoneOffset.UTC), metric);
    }

    private void send(UsageRecorded... events) {
        for (UsageRecorded event : events) {
            Topics.send("usage.recorded", event.tenantId().toString(), codec.encode(event));
        }
    }
}
