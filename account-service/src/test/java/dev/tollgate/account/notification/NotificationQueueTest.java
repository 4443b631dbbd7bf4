package dev.tollgate.account.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.account.FakeAuth;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A notification leaves with the transaction that recorded it, not inside it: one recorded by a transaction that
 * rolls back is never sent, one recorded twice (an event applied again) is sent once, and once sent its row keeps
 * no address or text.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class NotificationQueueTest {

    @Inject
    Notify notify;

    @Inject
    MockMailbox mailbox;

    @Test
    void aMailLeavesOnceAndOnlyIfWhatCausedItCommitted() throws Throwable {
        String rolledBack = "rolled-back-" + UUID.randomUUID() + "@example.com";
        assertThrows(IllegalStateException.class, () -> VertxContextSupport.subscribeAndAwait(
                () -> Panache.withTransaction(() -> notify.once("test:" + UUID.randomUUID(), "test", null, rolledBack,
                        "Never", "The effect failed after this mail was recorded")
                        .chain(() -> Uni.createFrom().failure(new IllegalStateException("the effect failed"))))));

        String key = "test:" + UUID.randomUUID();
        String to = "twice-" + UUID.randomUUID() + "@example.com";
        for (int applied = 0; applied < 2; applied++) {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(
                    () -> notify.once(key, "test", null, to, "Once", "Recorded twice, sent once")));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> sent(to) == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> sent(to) == 1);
        assertEquals(0, sent(rolledBack), "nothing recorded by a transaction that rolled back is sent");
        assertEquals(1, Sql.number("select count(*) from account.notifications where key = ? and sent_at is not null "
                + "and recipient is null and subject is null and body is null", key));
        assertTrue(mailbox.getMailsSentTo(to).get(0).getText().contains("sent once"));
    }

    @Test
    void nothingNewIsRecordedForAUserWhoAskedForTheirErasure() throws Throwable {
        UUID user = UUID.randomUUID();
        Sql.update("insert into account.deletion_requests (id, user_id, tenant_id, tenant_deleted, requested_at, "
                + "deadline_at) values (?, ?, ?, false, now(), now() + interval '1 day')", UUID.randomUUID(), user,
                UUID.randomUUID());
        String key = "test:" + UUID.randomUUID();
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> notify.once(key, "test", user,
                "leaving-" + user + "@example.com", "Never", "Recorded after the erasure was asked for")));
        assertEquals(0, Sql.number("select count(*) from account.notifications where key = ?", key));
    }

    private int sent(String to) {
        List<io.quarkus.mailer.Mail> mails = mailbox.getMailsSentTo(to);
        return mails == null ? 0 : mails.size();
    }
}
