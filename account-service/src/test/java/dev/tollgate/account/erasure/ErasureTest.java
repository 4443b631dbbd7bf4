package dev.tollgate.account.erasure;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.account.FakeAuth;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.AuditRecorded;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * DELETE /account/me: a recent sign-in starts the erasure, account.deleted goes out once, and the completion
 * matrix fills as each service's account.purged arrives over the real broker, also past the deadline.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class ErasureTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Inject
    MockMailbox mailbox;

    @Test
    void aRecentlySignedInUserIsErasedEverywhereAndEveryReceiptCompletesIt() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        UUID member = UUID.randomUUID();
        String memberAddress = "member-" + member + "@example.com";
        FakeAuth.scope(user, List.of(tenant, team, UUID.randomUUID()), List.of(tenant, team),
                Map.of(team, Map.of(member, memberAddress)));
        String address = "leaving-" + user + "@example.com";
        FakeAuth.contact(user, address);
        signedIn(user, tenant, 60).body("{\"displayName\":\"Ada\"}").patch("/account/me").then().statusCode(200);
        AuditRecorded before = AuditRecorded.of(team, "auth", "auth.member-invited", user.toString(), member, null,
                Map.of());
        Topics.send("audit.recorded", team.toString(), codec.encode(before));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.audit_log where tenant_id = ?",
                team) == 1);

        Response deleted = signedIn(user, tenant, 60).delete("/account/me");
        deleted.then().statusCode(202).body("tenantDeleted", equalTo(true)).body("existing", equalTo(false))
                .body("tenantsDeleted", containsInAnyOrder(tenant.toString(), team.toString()));
        // the deleted team's log goes with it, and what arrives about it later is not kept
        assertEquals(0, Sql.number("select count(*) from account.audit_log where tenant_id = ?", team));
        AuditRecorded late = AuditRecorded.of(team, "auth", "auth.member-removed", user.toString(), member, null,
                Map.of());
        Topics.send("audit.recorded", team.toString(), codec.encode(late));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.inbox where event_id = ?",
                late.eventId()) == 1);
        assertEquals(0, Sql.number("select count(*) from account.audit_log where tenant_id = ?", team));
        // the team's other member is told, once
        await().atMost(PATIENCE).until(() -> mailbox.getMailsSentTo(memberAddress) != null
                && mailbox.getMailsSentTo(memberAddress).size() == 1);
        assertTrue(mailbox.getMailsSentTo(memberAddress).get(0).getText().contains("the team Rocket"));
        UUID deletion = UUID.fromString(deleted.path("deletionId"));
        assertTrue(deleted.header("Location").endsWith("/account/deletions/" + deletion));
        assertEquals(0, Sql.number("select count(*) from account.profiles where user_id = ?", user));
        AccountDeleted announced = codec.decode(Sql.text("select payload from account.outbox where topic = 'account.deleted' "
                + "and payload like ?", "%" + deletion + "%"), EventType.ACCOUNT_DELETED);
        assertEquals(user, announced.userId());
        assertEquals(tenant, announced.tenantId());
        assertTrue(announced.tenantDeleted(), "the user alone owned the tenant");
        assertEquals(Set.of(tenant, team), Set.copyOf(announced.erasedTenants()));

        signedIn(user, tenant, 60).get("/account/deletions/" + deletion).then().statusCode(200)
                .body("status", equalTo("pending"))
                .body("tenantsDeleted", containsInAnyOrder(tenant.toString(), team.toString()))
                .body("services.find { it.service == 'account' }.status", equalTo("done"))
                .body("services.find { it.service == 'account' }.counts.profiles", equalTo(1))
                .body("services.find { it.service == 'account' }.counts.notifications", equalTo(0))
                .body("services.find { it.service == 'billing' }.status", equalTo("pending"));

        // the token still works for minutes, but nothing new is kept about the user
        signedIn(user, tenant, 60).get("/account/me").then().statusCode(410)
                .body("type", equalTo("https://tollgate.dev/problems/account-deleted"));
        signedIn(user, tenant, 60).post("/account/exports").then().statusCode(410);
        assertEquals(0, Sql.number("select count(*) from account.profiles where user_id = ?", user));

        // asked again: the same erasure, nothing announced twice
        signedIn(user, tenant, 60).delete("/account/me").then().statusCode(202)
                .body("deletionId", equalTo(deletion.toString())).body("existing", equalTo(true));
        assertEquals(1, Sql.number("select count(*) from account.outbox where topic = 'account.deleted' and payload like ?",
                "%" + user + "%"));

        for (String service : List.of("auth", "billing", "generation", "metering")) {
            AccountPurged receipt = AccountPurged.of(announced, service, Map.of("rows", 2L));
            Topics.send("account.purged", tenant.toString(), codec.encode(receipt));
            if ("billing".equals(service)) {
                Topics.send("account.purged", tenant.toString(), codec.encode(receipt)); // redelivered
            }
        }
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.deletion_requests where id = ? "
                + "and completed_at is not null", deletion) == 1);
        signedIn(user, tenant, 60).get("/account/deletions/" + deletion).then().statusCode(200)
                .body("status", equalTo("complete"))
                .body("services.status", equalTo(List.of("done", "done", "done", "done", "done")))
                .body("services.find { it.service == 'metering' }.counts.rows", equalTo(2));
        assertEquals(5, Sql.number("select count(*) from account.deletion_receipts where deletion_id = ?", deletion));
        // the user hears that it is done, at the address auth-service had, which is then forgotten here too
        await().atMost(PATIENCE).until(() -> mailbox.getMailsSentTo(address) != null
                && mailbox.getMailsSentTo(address).size() == 1);
        assertEquals("Your Tollgate account is deleted", mailbox.getMailsSentTo(address).get(0).getSubject());
        assertEquals(0, Sql.number("select count(*) from account.deletion_requests where id = ? and contact_email is not null",
                deletion));
    }

    @Test
    void aStalledErasureIsSentAgainToTheServicesMissingAndAnOperatorMaySendItAgain() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        FakeAuth.scope(user, List.of(tenant, team), List.of(tenant, team));
        UUID deletion = UUID.fromString(signedIn(user, tenant, 60).delete("/account/me").then().statusCode(202)
                .extract().path("deletionId"));
        AccountDeleted announced = codec.decode(Sql.text("select payload from account.outbox where topic = 'account.deleted' "
                + "and payload like ?", "%" + deletion + "%"), EventType.ACCOUNT_DELETED);
        for (String service : List.of("auth", "billing", "generation")) {
            Topics.send("account.purged", tenant.toString(), codec.encode(AccountPurged.of(announced, service, Map.of())));
        }
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.deletion_receipts where deletion_id = ?",
                deletion) == 4);

        // metering has said nothing for longer than tollgate.account.erasure.redrive-after
        Sql.update("update account.deletion_requests set requested_at = requested_at - interval '1 hour' where id = ?",
                deletion);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.outbox where topic = 'account.deleted' "
                + "and payload like ?", "%" + deletion + "%") == 2);
        AccountDeleted again = codec.decode(Sql.text("select payload from account.outbox where topic = 'account.deleted' "
                + "and payload like ? order by id desc limit 1", "%" + deletion + "%"), EventType.ACCOUNT_DELETED);
        assertEquals(deletion, again.deletionId());
        assertEquals(List.of("metering"), again.services());
        assertEquals(Set.of(tenant, team), Set.copyOf(again.erasedTenants()));
        assertTrue(!again.eventId().equals(announced.eventId()), "a new event, which metering's inbox has not seen");

        // an operator sees it waiting for metering, and sends it again at once; the user may not
        signedIn(AuthorizationMatrix.OPERATOR, tenant, 60).get("/account/operator/erasures").then().statusCode(200)
                .body("find { it.id == '" + deletion + "' }.missing", equalTo(List.of("metering")))
                .body("find { it.id == '" + deletion + "' }.redrives", equalTo(1));
        signedIn(user, tenant, 60).get("/account/operator/erasures").then().statusCode(403);
        signedIn(AuthorizationMatrix.OPERATOR, tenant, 60).post("/account/operator/erasures/" + deletion + "/redrive")
                .then().statusCode(200).body("redrives", equalTo(2)).body("missing", equalTo(List.of("metering")));
        assertEquals(3, Sql.number("select count(*) from account.outbox where topic = 'account.deleted' and payload like ?",
                "%" + deletion + "%"));

        Topics.send("account.purged", tenant.toString(), codec.encode(AccountPurged.of(again, "metering", Map.of())));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.deletion_requests where id = ? "
                + "and completed_at is not null", deletion) == 1);
        signedIn(AuthorizationMatrix.OPERATOR, tenant, 60).post("/account/operator/erasures/" + deletion + "/redrive")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/erasure-complete"));
    }

    @Test
    void anOldSignInAnApiKeyOrAnUnreachableAuthDeletesNothing() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        FakeAuth.scope(user, List.of(tenant), List.of());
        signedIn(user, tenant, 60).body("{\"displayName\":\"Bob\"}").patch("/account/me").then().statusCode(200);

        signedIn(user, tenant, 3600).delete("/account/me").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/recent-sign-in-required"))
                .body("detail", containsString("10 minutes"));
        JwtClaims apiKeyToken = TestIssuer.claims(user, tenant, "api-key");
        RestAssured.given().auth().oauth2(TestIssuer.shared().sign(apiKeyToken)).delete("/account/me").then()
                .statusCode(403);
        FakeAuth.down(user);
        signedIn(user, tenant, 60).delete("/account/me").then().statusCode(503)
                .body("type", equalTo("https://tollgate.dev/problems/auth-unavailable"));

        assertEquals(0, Sql.number("select count(*) from account.deletion_requests where user_id = ?", user));
        assertEquals(1, Sql.number("select count(*) from account.profiles where user_id = ?", user));
    }

    @Test
    void anErasureMissingItsDeadlineRaisesTheAlarmAndStillCompletesWhenTheServiceReturns() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        FakeAuth.scope(user, List.of(tenant), List.of());
        UUID deletion = UUID.fromString(signedIn(user, tenant, 60).delete("/account/me").then().statusCode(202)
                .body("tenantDeleted", equalTo(false)).extract().path("deletionId"));
        AccountDeleted announced = codec.decode(Sql.text("select payload from account.outbox where topic = 'account.deleted' "
                + "and payload like ?", "%" + deletion + "%"), EventType.ACCOUNT_DELETED);
        for (String service : List.of("auth", "billing", "generation")) {
            Topics.send("account.purged", tenant.toString(), codec.encode(AccountPurged.of(announced, service, Map.of())));
        }
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.deletion_receipts where deletion_id = ?",
                deletion) == 4);

        // metering has been away past the deadline
        Sql.update("update account.deletion_requests set deadline_at = now() - interval '1 minute' where id = ?", deletion);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.deletion_requests where id = ? "
                + "and overdue_alerted_at is not null", deletion) == 1);
        signedIn(user, tenant, 60).get("/account/deletions/" + deletion).then().body("status", equalTo("overdue"))
                .body("services.find { it.service == 'metering' }.status", equalTo("pending"));
        RestAssured.get("/q/metrics").then().body(containsString("tollgate_account_erasures_overdue"));

        // it comes back and receipts: the erasure completes
        Topics.send("account.purged", tenant.toString(), codec.encode(AccountPurged.of(announced, "metering", Map.of())));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.deletion_requests where id = ? "
                + "and completed_at is not null", deletion) == 1);
        signedIn(user, tenant, 60).get("/account/deletions/" + deletion).then().body("status", equalTo("complete"));
    }

    @Test
    void anotherUsersErasureIsNotFound() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        FakeAuth.scope(user, List.of(tenant), List.of());
        String deletion = signedIn(user, tenant, 60).delete("/account/me").then().statusCode(202).extract().path("deletionId");

        signedIn(UUID.randomUUID(), tenant, 60).get("/account/deletions/" + deletion).then().statusCode(404)
                .contentType("application/problem+json");
        signedIn(user, tenant, 60).get("/account/deletions/" + UUID.randomUUID()).then().statusCode(404);
    }

    /** A request of {@code user} in a sign-in session that started {@code secondsAgo}. */
    private static RequestSpecification signedIn(UUID user, UUID tenant, long secondsAgo) {
        JwtClaims claims = TestIssuer.claims(user, tenant, "owner");
        claims.setClaim("sid", UUID.randomUUID().toString());
        claims.setClaim("auth_time", System.currentTimeMillis() / 1000 - secondsAgo);
        return RestAssured.given().contentType(ContentType.JSON).auth().oauth2(TestIssuer.shared().sign(claims));
    }
}
