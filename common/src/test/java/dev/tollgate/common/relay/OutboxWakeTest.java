package dev.tollgate.common.relay;

import static org.awaitility.Awaitility.await;

import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A new event wakes its replica's relay: with the poll an hour apart, events appended one by one are still
 * published and applied at once (the wake, not the poll, sent them).
 */
@QuarkusTest
@TestProfile(OutboxWakeTest.PollHourly.class)
@QuarkusTestResource(DevStackTestResource.class)
class OutboxWakeTest {

    public static class PollHourly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.tollgate.outbox.poll-interval", "1h");
        }
    }

    @jakarta.inject.Inject
    Outbox outbox;

    @Test
    void eachNewEventGoesOutWithoutWaitingForThePoll() throws Throwable {
        for (int i = 0; i < 3; i++) {
            UsageRecorded event = UsageRecorded.of(UUID.randomUUID(), UUID.randomUUID(), "common-test", "offline",
                    "woken-" + i, Map.of(UsageRecorded.GENERATIONS, 1L));
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.append(event)));
            await().atMost(Duration.ofSeconds(30)).until(() -> Sql.number(
                    "select count(*) from common_test.usage_tally where event_id = ?", event.eventId()) == 1);
        }
    }
}
