package dev.tollgate.common.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.outbox.OutboxRepository;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * An event written through the outbox crosses the real Kafka broker and is applied exactly once through the
 * inbox: after a redelivery of the same record, after a broker outage while the outbox held unsent rows,
 * and while another replica's relay holds a key (dead letters: {@link DeadLettersTest}).
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class OutboxToInboxTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Inject
    Outbox outbox;

    @Inject
    EventCodec codec;

    @Inject
    MeterRegistry registry;

    @Inject
    OutboxRepository outboxRows;

    private final DevStack stack = DevStack.shared();

    @Test
    void anEventCommittedToTheOutboxIsAppliedOnce() throws Throwable {
        UsageRecorded event = usage(UUID.randomUUID(), 42);

        append(List.of(event));

        await().atMost(PATIENCE).until(() -> applications(event.eventId()) == 1);
        await().atMost(PATIENCE).until(() -> unpublished(List.of(event)) == 0);
        assertEquals(42L, tallied(event.eventId()));
    }

    @Test
    void aRedeliveredRecordChangesNothing() throws Throwable {
        UsageRecorded event = usage(UUID.randomUUID(), 7);
        append(List.of(event));
        await().atMost(PATIENCE).until(() -> applications(event.eventId()) == 1);
        double duplicatesBefore = inboxCount("duplicate");

        // the same record again, as a relay that crashed before marking its row published would send it
        sendRaw(event.tenantId().toString(), codec.encode(event));
        sendRaw(event.tenantId().toString(), codec.encode(event));

        await().atMost(PATIENCE).until(() -> inboxCount("duplicate") >= duplicatesBefore + 2);
        assertEquals(1, applications(event.eventId()));
    }

    @Test
    void eventsWrittenWhileTheBrokerIsDownArriveOnceWhenItReturns() throws Throwable {
        UUID tenant = UUID.randomUUID();
        List<UsageRecorded> events = IntStream.rangeClosed(1, 20).mapToObj(i -> usage(tenant, i)).toList();
        double failuresBefore = relayFailures();

        stack.kafka().stop();
        try {
            append(events);
            // the relay tried, the broker did not acknowledge, and every row is still waiting
            await().atMost(PATIENCE).until(() -> relayFailures() > failuresBefore);
            assertEquals(events.size(), unpublished(events));
            assertEquals(0, events.stream().mapToInt(e -> applications(e.eventId())).sum());
            // the backlog shows on the gauge operators alert on while the broker is away
            await().atMost(PATIENCE).until(() -> pendingGauge() >= events.size());
        } finally {
            stack.kafka().restart();
        }

        await().atMost(PATIENCE).until(() -> unpublished(events) == 0);
        await().atMost(PATIENCE).until(() -> events.stream().allMatch(e -> applications(e.eventId()) >= 1));
        for (UsageRecorded event : events) {
            assertEquals(1, applications(event.eventId()), "event " + event.eventId() + " applied once");
        }
    }

    @Test
    void aKeyHeldByAnotherRelayWaitsForItAndKeepsItsOrderWhileOtherKeysFlow() throws Throwable {
        UUID tenant = UUID.randomUUID();
        UsageRecorded held = usage(tenant, 11);
        UsageRecorded later = usage(tenant, 12);
        UsageRecorded otherKey = usage(UUID.randomUUID(), 13);
        // the held row is committed as published, so no relay here can take it before the other replica does
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.append(held)
                .call(Panache::flush)
                .call(() -> outboxRows.update("publishedAt = ?1 where eventId = ?2", Instant.now(), held.eventId()))));

        try (Connection otherRelay = DriverManager.getConnection(stack.postgres().jdbcUrl(),
                PostgresServer.USER, PostgresServer.PASSWORD);
                Connection writer = DriverManager.getConnection(stack.postgres().jdbcUrl(),
                        PostgresServer.USER, PostgresServer.PASSWORD)) {
            // another replica's relay holds the tenant's key (its advisory lock) and the row in its open transaction;
            // FOR KEY SHARE conflicts with the relay's FOR UPDATE but lets the row be marked unpublished underneath
            otherRelay.setAutoCommit(false);
            try (PreparedStatement lock = otherRelay.prepareStatement(
                    "select id, pg_advisory_xact_lock(1330992194, hashtext('common_test:' || message_key)) "
                            + "from common_test.outbox "
                            + "where event_id = ? for key share")) {
                lock.setObject(1, held.eventId());
                lock.executeQuery().close();
            }
            try (PreparedStatement unpublish = writer.prepareStatement(
                    "update common_test.outbox set published_at = null where event_id = ?")) {
                unpublish.setObject(1, held.eventId());
                assertEquals(1, unpublish.executeUpdate());
            }
            append(List.of(later, otherKey));

            // another tenant's event flows; this tenant's later event waits for the earlier one
            await().atMost(PATIENCE).until(() -> applications(otherKey.eventId()) == 1);
            assertEquals(2, unpublished(List.of(held, later)), "the held key is left to the replica that holds it");
            assertEquals(0, applications(held.eventId()) + applications(later.eventId()));
            otherRelay.rollback();
        }

        // the replica went away without publishing: the key's rows are published on a later pass, once, in order
        await().atMost(PATIENCE).until(() -> applications(held.eventId()) == 1 && applications(later.eventId()) == 1);
        assertEquals(0, unpublished(List.of(held, later)));
        List<String> published = Topics.records("usage.recorded").stream()
                .filter(record -> tenant.toString().equals(record.key())).map(record -> record.value()).toList();
        assertEquals(2, published.size(), published.toString());
        assertTrue(published.get(0).contains(held.eventId().toString()), "the earlier event first: " + published);
        assertTrue(published.get(1).contains(later.eventId().toString()), published.toString());
    }

    private static UsageRecorded usage(UUID tenant, long tokens) {
        return UsageRecorded.of(tenant, UUID.randomUUID(), "common-test", "offline", "subject-" + tokens,
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS, tokens - 1));
    }

    private void append(List<UsageRecorded> events) throws Throwable {
        for (UsageRecorded event : events) {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.append(event)));
        }
    }

    private double inboxCount(String outcome) {
        return Search.in(registry).name("tollgate.inbox.events")
                .tags("consumer", UsageTally.CONSUMER, "outcome", outcome)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double pendingGauge() {
        return Search.in(registry).name("tollgate.outbox.pending").gauges().stream()
                .mapToDouble(g -> g.value()).sum();
    }

    private double relayFailures() {
        return Search.in(registry).name("tollgate.outbox.publish.failures").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private int applications(UUID eventId) {
        return (int) Sql.number("select count(*) from common_test.usage_tally where event_id = ?", eventId);
    }

    private long tallied(UUID eventId) {
        return Sql.number("select coalesce(sum(units), 0) from common_test.usage_tally where event_id = ?", eventId);
    }

    private int unpublished(List<UsageRecorded> events) {
        return events.stream().mapToInt(e -> (int) Sql.number(
                "select count(*) from common_test.outbox where published_at is null and event_id = ?", e.eventId()))
                .sum();
    }

    private static void sendRaw(String key, String value) {
        Topics.send("usage.recorded", key, value);
    }
}
