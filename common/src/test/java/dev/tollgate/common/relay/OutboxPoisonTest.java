package dev.tollgate.common.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * An outbox row the broker can never take (here: larger than the producer's largest request) is parked with its
 * error; the other keys keep flowing, the later rows of its key wait, and once an operator discards it they follow.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class OutboxPoisonTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    Outbox outbox;

    @Test
    void aPoisonRowIsParkedAndHoldsBackOnlyItsOwnKey() throws Throwable {
        UUID tenant = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        UsageRecorded poison = usage(tenant, "x".repeat(1_200_000));
        UsageRecorded behind = usage(tenant, "behind");
        UsageRecorded elsewhere = usage(other, "elsewhere");
        append(poison);
        append(behind);
        append(elsewhere);

        await().atMost(PATIENCE).until(() -> applications(elsewhere) == 1);
        await().atMost(PATIENCE).until(() -> Sql.number(
                "select count(*) from common_test.outbox where event_id = ? and parked_at is not null", poison.eventId()) == 1);
        String error = Sql.text("select last_error from common_test.outbox where event_id = ?", poison.eventId());
        assertTrue(error.contains("RecordTooLarge"), error);
        assertEquals(1, Sql.number("select attempts from common_test.outbox where event_id = ?", poison.eventId()));
        // the row behind it, of the same tenant, waits: a tenant's events stay in order
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> unpublished(behind) == 1 && applications(behind) == 0);
        RestAssured.get("/q/metrics").then().body(Matchers.containsString("tollgate_outbox_parked"));

        // the operator discards it (docs/operations.md#outbox-event-parked): the rest of the key follows, once
        assertEquals(1, Sql.update("delete from common_test.outbox where event_id = ? and parked_at is not null",
                poison.eventId()));
        await().atMost(PATIENCE).until(() -> applications(behind) == 1);
        assertEquals(0, applications(poison));
    }

    @Test
    void aBlockedTenantWithMoreRowsThanAPassScansHoldsBackNoOtherTenant() throws Throwable {
        String blocked = UUID.randomUUID().toString();
        // a parked row, and behind it more rows of its tenant than a pass looks at (4 x the batch of 500)
        Sql.update("insert into common_test.outbox (event_id, topic, event_type, message_key, payload, occurred_at, "
                + "created_at, parked_at, attempts, last_error) values (gen_random_uuid(), 'common-test.blocked', "
                + "'test', ?, '{}', now(), now(), now(), 1, 'parked by the test')", blocked);
        Sql.update("insert into common_test.outbox (event_id, topic, event_type, message_key, payload, occurred_at, "
                + "created_at) select gen_random_uuid(), 'common-test.blocked', 'test', ?, '{}', now(), now() "
                + "from generate_series(1, 2500)", blocked);
        try {
            UsageRecorded elsewhere = usage(UUID.randomUUID(), "after-the-blocked-tenant");
            append(elsewhere);
            await().atMost(PATIENCE).until(() -> applications(elsewhere) == 1);
            assertEquals(2501, Sql.number("select count(*) from common_test.outbox where message_key = ? "
                    + "and published_at is null", blocked), "the blocked tenant's rows all wait");
        } finally {
            Sql.update("delete from common_test.outbox where message_key = ?", blocked);
        }
    }

    private static UsageRecorded usage(UUID tenant, String subject) {
        return UsageRecorded.of(tenant, UUID.randomUUID(), "common-test", "offline", subject,
                Map.of(UsageRecorded.GENERATIONS, 1L));
    }

    private void append(UsageRecorded event) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.append(event)));
    }

    private static long applications(UsageRecorded event) {
        return Sql.number("select count(*) from common_test.usage_tally where event_id = ?", event.eventId());
    }

    private static long unpublished(UsageRecorded event) {
        return Sql.number("select count(*) from common_test.outbox where published_at is null and event_id = ?",
                event.eventId());
    }
}
