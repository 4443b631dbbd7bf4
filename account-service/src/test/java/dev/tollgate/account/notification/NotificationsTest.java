package dev.tollgate.account.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.account.FakeAuth;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.event.ThresholdCrossed;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Mail to a tenant's owners and admins on a quota threshold and a failed payment, each once and only to those who
 * want it; mail to a user when their export is ready. Events over the real broker, mail in the mock mailbox.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class NotificationsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Inject
    MockMailbox mailbox;

    @Test
    void ownersAndAdminsHearOfQuotasAndFailedPaymentsOnceUnlessTheyTurnedItOff() {
        UUID tenant = UUID.randomUUID();
        UUID owner = UUID.randomUUID();
        UUID admin = UUID.randomUUID();
        String ownerMail = "owner-" + owner + "@example.com";
        String adminMail = "admin-" + admin + "@example.com";
        FakeAuth.runners(tenant, Map.of(owner, ownerMail, admin, adminMail));
        // the admin wants no usage mail, but billing mail
        Callers.as(admin, tenant, "admin").body("{\"notifyUsage\":false}").patch("/account/me").then().statusCode(200)
                .body("notifyUsage", org.hamcrest.Matchers.equalTo(false))
                .body("notifyBilling", org.hamcrest.Matchers.equalTo(true));

        ThresholdCrossed crossed = ThresholdCrossed.of(tenant, "basic", "generations", 80, 1600, 2000,
                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
        Topics.send("threshold.crossed", tenant.toString(), codec.encode(crossed));
        Topics.send("threshold.crossed", tenant.toString(), codec.encode(crossed)); // redelivered
        SubscriptionChanged pastDue = SubscriptionChanged.of(tenant, "basic", "past_due", null, null, null, 1);
        Topics.send("subscription.changed", tenant.toString(), codec.encode(pastDue));

        await().atMost(PATIENCE).until(() -> mailbox.getMailsSentTo(adminMail) != null
                && mailbox.getMailsSentTo(adminMail).size() == 1 && mailbox.getMailsSentTo(ownerMail).size() == 2);
        List<Mail> toOwner = mailbox.getMailsSentTo(ownerMail);
        assertTrue(toOwner.stream().anyMatch(mail -> mail.getSubject().equals(
                "Your Tollgate generations are at 80% of your plan") && mail.getText().contains("1600 of the 2000")),
                "the owner heard of the threshold once");
        assertTrue(toOwner.stream().anyMatch(mail -> mail.getSubject().equals("Your Tollgate payment failed")));
        List<Mail> toAdmin = mailbox.getMailsSentTo(adminMail);
        assertEquals("Your Tollgate payment failed", toAdmin.get(0).getSubject(), "the admin only wanted billing mail");
        assertEquals(3, Sql.number("select count(*) from account.notifications where key like ?",
                "%" + crossed.eventId() + "%")
                + Sql.number("select count(*) from account.notifications where key like ?",
                        "%" + pastDue.eventId() + "%"));
    }

    @Test
    void aUserHearsThatTheirExportIsReady() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        String address = "exporter-" + user + "@example.com";
        FakeAuth.contact(user, address);
        FakeAuth.exports(user, "{\"account\":{\"email\":\"" + address + "\"},\"memberships\":[]}", "{\"tenants\":[]}",
                "{\"generations\":[]}", "{\"usageEvents\":[]}");
        String id = Callers.as(user, tenant, "member").post("/account/exports").then().statusCode(202)
                .extract().path("exportId");

        await().atMost(PATIENCE).until(() -> mailbox.getMailsSentTo(address) != null
                && mailbox.getMailsSentTo(address).size() == 1);
        Mail ready = mailbox.getMailsSentTo(address).get(0);
        assertEquals("Your Tollgate export is ready", ready.getSubject());
        assertTrue(ready.getText().contains("/account/exports/" + id + "/download"), ready.getText());
    }
}
