package dev.tollgate.common.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.inbox.InboxCleanup;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The inbox forgets what it applied once the retention (30 days) has passed, and only that. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class InboxCleanupTest {

    @Inject
    InboxCleanup cleanup;

    @Test
    void idsOlderThanTheRetentionGoAndYoungerOnesStay() throws Throwable {
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        Sql.update("insert into common_test.inbox (consumer, event_id, topic, applied_at) "
                + "values ('cleanup-test', ?, 'usage.recorded', now() - interval '31 days')", old);
        Sql.update("insert into common_test.inbox (consumer, event_id, topic, applied_at) "
                + "values ('cleanup-test', ?, 'usage.recorded', now() - interval '29 days')", recent);

        int removed = VertxContextSupport.subscribeAndAwait(() -> cleanup.removeApplied());

        assertTrue(removed >= 1, "the 31-day-old id is removed");
        assertEquals(0, Sql.number("select count(*) from common_test.inbox where event_id = ?", old));
        assertEquals(1, Sql.number("select count(*) from common_test.inbox where event_id = ?", recent),
                "an id within the retention still recognises a redelivery");
    }
}
