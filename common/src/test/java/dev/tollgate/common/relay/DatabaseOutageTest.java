package dev.tollgate.common.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL refuses every connection for longer than any bounded retry would last (its connections cut, the
 * database closed to new ones, until the consumer has met the fault six times): the events that arrive meanwhile wait, and
 * are applied once when it is back. None
 * goes to the dead letters.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class DatabaseOutageTest {

    private static final int WAITS_BEYOND_ANY_BUDGET = 6;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Inject
    MeterRegistry registry;

    @Test
    void eventsArrivingWhileTheDatabaseRefusesConnectionsAreAppliedOnceAfterwardsAndNoneIsDeadLettered()
            throws Exception {
        UUID tenant = UUID.randomUUID();
        UsageRecorded first = usage(tenant, "during-1");
        UsageRecorded second = usage(tenant, "during-2");

        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + DevStack.shared().postgres().port() + "/postgres", PostgresServer.USER, PostgresServer.PASSWORD);
                Statement sql = admin.createStatement()) {
            sql.execute("alter database " + PostgresServer.DATABASE + " allow_connections false");
            try {
                sql.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
                        + PostgresServer.DATABASE + "' and pid <> pg_backend_pid()");
                double waitedBefore = waited();
                Topics.send("usage.recorded", tenant.toString(), codec.encode(first));
                Topics.send("usage.recorded", tenant.toString(), codec.encode(second));
                // the outage lasts until the consumer has met it more often than any bounded retry would allow
                // (the former budget: 5 tries, then the dead letters)
                await().atMost(PATIENCE).until(() -> waited() - waitedBefore >= WAITS_BEYOND_ANY_BUDGET);
            } finally {
                reopen(sql);
            }
        }

        await().atMost(PATIENCE).until(() -> applications(first) == 1 && applications(second) == 1);
        assertNull(Topics.find("usage.recorded.dlq", Duration.ofSeconds(5),
                value -> value.contains(first.eventId().toString()) || value.contains(second.eventId().toString())),
                "nothing was dead-lettered for the outage");
        assertEquals(1, applications(first));
        assertEquals(1, applications(second));
    }

    /** How often the tally's consumer met a passing fault and waited. */
    private double waited() {
        return Search.in(registry).name("tollgate.inbox.events").tags("consumer", UsageTally.CONSUMER, "outcome", "waited")
                .counters().stream().mapToDouble(counter -> counter.count()).sum();
    }

    private static void reopen(Statement sql) throws SQLException {
        sql.execute("alter database " + PostgresServer.DATABASE + " allow_connections true");
    }

    private static UsageRecorded usage(UUID tenant, String subject) {
        return UsageRecorded.of(tenant, UUID.randomUUID(), "common-test", "offline", subject,
                Map.of(UsageRecorded.GENERATIONS, 1L));
    }

    private static long applications(UsageRecorded event) {
        return Sql.number("select count(*) from common_test.usage_tally where event_id = ?", event.eventId());
    }
}
