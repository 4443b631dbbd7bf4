package dev.tollgate.common.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An event a consumer cannot apply is kept as a dead letter, one record at a time, while the partition goes on; it is
 * re-driven automatically (here after 1 s, then 4 s, twice) and applied once when its consumer is mended, or left
 * to an operator once the automatic attempts are spent, who re-drives or discards it.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class DeadLettersTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Inject
    EventCodec codec;

    @Inject
    DeadLetters deadLetters;

    @Test
    void anEventThatFailsIsSetAsideTheNextOneAppliedAndTheMendedConsumerAppliesItOnceWhenReDriven() {
        UUID tenant = UUID.randomUUID();
        UsageRecorded failing = usage(tenant, 5);
        UsageRecorded next = usage(UUID.randomUUID(), 6);
        UsageTally.REFUSED.add(tenant);
        try {
            send(failing);
            send(next);
            await().atMost(PATIENCE).until(() -> applications(next.eventId()) == 1);
            await().atMost(PATIENCE).until(() -> open(failing.eventId()) == 1);
            assertEquals(0, applications(failing.eventId()));
            assertTrue(Sql.text("select last_error from common_test.dead_letter where event_id = ?", failing.eventId())
                    .contains("the tally refuses tenant " + tenant));
        } finally {
            UsageTally.REFUSED.remove(tenant);
        }

        // the next automatic re-drive finds the consumer mended
        await().atMost(PATIENCE).until(() -> open(failing.eventId()) == 0);
        assertEquals(1, applications(failing.eventId()));
        assertEquals("redriven", Sql.text("select resolution from common_test.dead_letter where event_id = ?",
                failing.eventId()));

        // the same record delivered again changes nothing: a later event of its key is applied after it, and the
        // dead letter is not opened again
        UsageRecorded marker = usage(tenant, 9);
        send(failing);
        send(marker);
        await().atMost(PATIENCE).until(() -> applications(marker.eventId()) == 1);
        assertEquals(1, applications(failing.eventId()));
        assertEquals(1, Sql.number("select count(*) from common_test.dead_letter where event_id = ?",
                failing.eventId()));
    }

    @Test
    void afterTheAutomaticAttemptsAnOperatorReDrivesOrDiscards() throws Throwable {
        UUID tenant = UUID.randomUUID();
        UsageRecorded failing = usage(tenant, 8);
        UsageTally.REFUSED.add(tenant);
        long id;
        try {
            send(failing);
            await().atMost(PATIENCE).until(() -> open(failing.eventId()) == 1);
            id = Sql.number("select id from common_test.dead_letter where event_id = ?", failing.eventId());
            // it failed when consumed, then at both automatic re-drives: it waits for an operator now
            await().atMost(PATIENCE).until(() -> Sql.number(
                    "select attempts from common_test.dead_letter where id = ?", id) == 3);
            assertNull(Sql.text("select next_attempt_at::text from common_test.dead_letter where id = ?", id));
            assertEquals(1, open(failing.eventId()));
        } finally {
            UsageTally.REFUSED.remove(tenant);
        }

        List<DeadLetters.Outcome> outcomes = VertxContextSupport.subscribeAndAwait(() -> deadLetters.redriveNow(id));
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals("redriven", outcomes.get(0).result());
        assertEquals(1, applications(failing.eventId()));
        assertEquals(0, open(failing.eventId()));

        // an unreadable record: kept without an event id; a re-drive cannot read it either; an operator discards it
        String poison = "{\"eventId\": \"" + UUID.randomUUID() + "\", \"tenantId\": ";
        Topics.send("usage.recorded", tenant.toString(), poison);
        await().atMost(PATIENCE).until(() -> Sql.number(
                "select count(*) from common_test.dead_letter where payload = ? and event_id is null", poison) == 1);
        long unreadable = Sql.number("select id from common_test.dead_letter where payload = ?", poison);
        List<DeadLetters.Outcome> again = VertxContextSupport.subscribeAndAwait(() -> deadLetters.redriveNow(unreadable));
        assertEquals("failed", again.get(0).result());
        assertTrue(again.get(0).error().contains("UnreadableEvent"), again.get(0).error());
        assertEquals("discarded: a producer bug", VertxContextSupport.subscribeAndAwait(
                () -> deadLetters.discard(unreadable, "a producer bug")).resolution);
        assertEquals(0, Sql.number(
                "select count(*) from common_test.dead_letter where id = ? and resolved_at is null", unreadable));
        assertNull(VertxContextSupport.subscribeAndAwait(() -> deadLetters.discard(unreadable, "twice")),
                "a resolved dead letter cannot be discarded again");
    }

    @Test
    void anOperatorReDrivesEveryOpenDeadLetterPageAfterPageEvenWhenTheOldestKeepFailing() throws Throwable {
        String marker = "page-" + UUID.randomUUID();
        // 60 letters no re-drive can read, their automatic attempts spent: an operator's
        Sql.update("insert into common_test.dead_letter (consumer, topic, payload, last_error, attempts, "
                + "next_attempt_at) select 'usage-tally', 'usage.recorded', '{\"" + marker + "\": ' || n, "
                + "'unreadable', 3, null from generate_series(1, 60) n");
        long first = Sql.number("select min(id) from common_test.dead_letter where payload like ?", "%" + marker + "%");
        try {
            List<DeadLetters.Outcome> page = VertxContextSupport.subscribeAndAwait(
                    () -> deadLetters.redriveAfter(first - 1));
            assertEquals(50, page.size(), "a page holds 50");
            long last = page.stream().mapToLong(DeadLetters.Outcome::id).max().orElseThrow();
            List<DeadLetters.Outcome> next = VertxContextSupport.subscribeAndAwait(() -> deadLetters.redriveAfter(last));
            assertTrue(next.stream().anyMatch(outcome -> outcome.id() > last), "the next page goes past the first");
            assertEquals(10, next.stream().filter(outcome -> outcome.id() >= first && outcome.id() < first + 60).count());
            assertEquals(60, Sql.number("select count(*) from common_test.dead_letter where payload like ? "
                    + "and attempts = 4 and leased_until is null", "%" + marker + "%"), "each was tried once, and let go");
        } finally {
            Sql.update("delete from common_test.dead_letter where payload like ?", "%" + marker + "%");
        }
    }

    private static UsageRecorded usage(UUID tenant, long tokens) {
        return UsageRecorded.of(tenant, UUID.randomUUID(), "common-test", "offline", "subject-" + tokens,
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS, tokens - 1));
    }

    private void send(UsageRecorded event) {
        Topics.send("usage.recorded", event.tenantId().toString(), codec.encode(event));
    }

    private static long applications(UUID eventId) {
        return Sql.number("select count(*) from common_test.usage_tally where event_id = ?", eventId);
    }

    private static long open(UUID eventId) {
        return Sql.number("select count(*) from common_test.dead_letter where event_id = ? and resolved_at is null",
                eventId);
    }
}
