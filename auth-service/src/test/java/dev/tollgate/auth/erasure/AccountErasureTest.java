package dev.tollgate.auth.erasure;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.Topics;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An account.deleted from the broker erases the user here, once, and a receipt goes back. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class AccountErasureTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    MockMailbox mailbox;

    @Inject
    EventCodec codec;

    @Test
    void theUserAndEverythingTheyAloneOwnedIsErasedAndReceipted() throws Exception {
        String email = newAddress();
        Response leaving = SignInFlow.signIn(mailbox, email);
        SignInFlow.signIn(mailbox, email);
        UUID user = UUID.fromString(SignInFlow.verify(leaving.path("access_token")).getSubject());
        UUID personal = UUID.fromString(leaving.path("tenant_id"));
        String ownKey = apiKey(leaving);
        String secondKey = apiKey(leaving);

        // a team that someone else owns, where the leaving user is a member: it stays
        Response other = SignInFlow.signIn(mailbox, newAddress());
        String othersTeam = team(other);
        join(other, othersTeam, email, leaving);
        String othersKey = apiKey(other);

        UUID deletion = UUID.randomUUID();
        AccountDeleted request = AccountDeleted.of(personal, deletion, user, true);
        send(request);

        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from auth.users where id = ?", user) == 0);
        assertEquals(0, Sql.number("select count(*) from auth.tenants where id = ?", personal));
        assertEquals(0, Sql.number("select count(*) from auth.memberships where user_id = ?", user));
        assertEquals(0, Sql.number("select count(*) from auth.refresh_families where user_id = ?", user));
        assertEquals(0, Sql.number("select count(*) from auth.api_keys where user_id = ?", user));
        assertEquals(1, Sql.number("select count(*) from auth.tenants where id = ?", UUID.fromString(othersTeam)));
        assertEquals(0, Sql.number("select count(*) from auth.magic_link_challenges where email = ?", email));
        SignInFlow.refresh(leaving.path("refresh_token")).then().statusCode(400);
        exchange(othersKey).then().statusCode(200);
        exchange(ownKey).then().statusCode(400);
        exchange(secondKey).then().statusCode(400);

        AccountPurged receipt = awaitReceipt(deletion);
        assertEquals("auth", receipt.service());
        assertEquals(user, receipt.userId());
        assertEquals(1L, receipt.counts().get("users"));
        assertEquals(2L, receipt.counts().get("sessions"));
        assertEquals(2L, receipt.counts().get("api_keys"));
        assertEquals(2, Sql.number("select count(*) from auth.outbox where topic = 'apikey.revoked' "
                + "and message_key = ?", personal.toString()));
        assertEquals(1L, receipt.counts().get("tenants"));

        // a redelivery changes nothing and sends no second receipt
        send(request);
        send(AccountDeleted.of(personal, UUID.randomUUID(), UUID.randomUUID(), false));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from auth.inbox where topic = 'account.deleted' "
                + "and event_id = ?", request.eventId()) == 1);
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'account.purged' and payload like ?",
                "%" + deletion + "%"));
    }

    @Test
    void accountServiceLearnsWhatAnErasureTakesWithItAndWhenTheUserSignedIn() throws Exception {
        String email = newAddress();
        long before = System.currentTimeMillis() / 1000;
        Response leaving = SignInFlow.signIn(mailbox, email);
        var claims = SignInFlow.verify(leaving.path("access_token"));
        UUID user = UUID.fromString(claims.getSubject());
        String personal = leaving.path("tenant_id");
        long authTime = ((Number) claims.getClaimValue("auth_time")).longValue();
        assertTrue(authTime >= before - 1 && authTime <= System.currentTimeMillis() / 1000 + 1,
                "auth_time is the sign-in: " + authTime);
        // the sign-in and a new API key are in the tenant's audit trail
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'audit.recorded' and payload like ?",
                "%\"action\":\"auth.signed-in\",\"actor\":\"" + user + "\"%"));
        apiKey(leaving);
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'audit.recorded' and payload like ?",
                "%\"tenantId\":\"" + personal + "\"%\"action\":\"auth.api-key-created\"%"));
        Response other = SignInFlow.signIn(mailbox, newAddress());
        String othersTeam = team(other);
        join(other, othersTeam, email, leaving);

        String serviceToken = RestAssured.given().auth().preemptive()
                .basic("account", "test-only-secret-of-the-account-client")
                .contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .post("/auth/token").then().statusCode(200).extract().path("access_token");
        RestAssured.given().auth().oauth2(serviceToken).post("/auth/internal/users/" + user + "/erasure-scope?deletion="
                + UUID.randomUUID()).then().statusCode(200)
                .body("tenants", containsInAnyOrder(personal, othersTeam))
                .body("soleOwnedTenants", contains(personal));
        RestAssured.given().auth().oauth2(serviceToken).get("/auth/internal/users/" + user + "/export")
                .then().statusCode(200)
                .body("account.email", equalTo(email))
                .body("memberships.tenantId", containsInAnyOrder(personal, othersTeam))
                .body("sessions[0].signedInAt", org.hamcrest.Matchers.notNullValue())
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("secretHash")));
        RestAssured.given().auth().oauth2(serviceToken).get("/auth/internal/users/" + UUID.randomUUID() + "/export")
                .then().statusCode(404);
        RestAssured.given().auth().oauth2(serviceToken).get("/auth/internal/users/" + user + "/contact")
                .then().statusCode(200).body("email", equalTo(email));
        RestAssured.given().auth().oauth2(serviceToken).get("/auth/internal/tenants/" + personal + "/contacts")
                .then().statusCode(200).body("email", contains(email)).body("role", contains("owner"));
        RestAssured.given().auth().oauth2(serviceToken).get("/auth/internal/tenants/" + othersTeam + "/contacts")
                .then().statusCode(200).body("email", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(email)));
        // a user's own token is not a service's
        RestAssured.given().auth().oauth2(leaving.<String> path("access_token"))
                .post("/auth/internal/users/" + user + "/erasure-scope?deletion=" + UUID.randomUUID()).then()
                .statusCode(403);
        RestAssured.given().auth().oauth2(leaving.<String> path("access_token"))
                .get("/auth/internal/users/" + user + "/export").then().statusCode(403);
    }

    @Test
    void theScopeIsFixedWhenTheUserAsksAndHeldUntilTheErasureDeletesExactlyIt() throws Exception {
        String email = newAddress();
        Response leaving = SignInFlow.signIn(mailbox, email);
        UUID user = UUID.fromString(SignInFlow.verify(leaving.path("access_token")).getSubject());
        UUID personal = UUID.fromString(leaving.path("tenant_id"));
        String ownTeam = team(leaving);
        String memberEmail = newAddress();
        Response member = SignInFlow.signIn(mailbox, memberEmail);
        UUID memberId = UUID.fromString(SignInFlow.verify(member.path("access_token")).getSubject());
        join(leaving, ownTeam, memberEmail, member);
        // a team the member owns, where the leaving user is a member: it stays, and so does its owner
        String membersTeam = team(member);
        join(member, membersTeam, email, leaving);

        String serviceToken = serviceToken();
        UUID deletion = UUID.randomUUID();
        String scope = "/auth/internal/users/" + user + "/erasure-scope?deletion=" + deletion;
        RestAssured.given().auth().oauth2(serviceToken).post(scope).then().statusCode(200)
                .body("tenants", containsInAnyOrder(personal.toString(), ownTeam, membersTeam))
                .body("soleOwnedTenants", containsInAnyOrder(personal.toString(), ownTeam))
                .body("membersLeft.userId", contains(memberId.toString()))
                .body("membersLeft[0].email", equalTo(memberEmail))
                .body("membersLeft[0].tenantId", equalTo(ownTeam))
                .body("membersLeft[0].tenantName", equalTo("Other's team"));

        // held: no membership of the user's tenants changes, and the user starts no tenant
        given().auth().oauth2(leaving.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("role", "owner")).patch("/auth/tenants/" + ownTeam + "/members/" + memberId)
                .then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("/erasure-in-progress"));
        given().auth().oauth2(member.path("access_token")).delete("/auth/tenants/" + ownTeam + "/members/" + memberId)
                .then().statusCode(409);
        given().auth().oauth2(member.path("access_token")).delete("/auth/tenants/" + membersTeam + "/members/" + user)
                .then().statusCode(409);
        given().auth().oauth2(leaving.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("name", "Escape")).post("/auth/tenants").then().statusCode(409);
        // the member, not being erased, still starts tenants of their own
        team(member);
        // asked again: the same answer; another erasure's release does not end the hold
        RestAssured.given().auth().oauth2(serviceToken).post(scope).then().statusCode(200)
                .body("soleOwnedTenants", containsInAnyOrder(personal.toString(), ownTeam));
        RestAssured.given().auth().oauth2(serviceToken).delete("/auth/internal/users/" + user + "/erasure-scope?deletion="
                + UUID.randomUUID()).then().statusCode(404);
        given().auth().oauth2(member.path("access_token")).delete("/auth/tenants/" + ownTeam + "/members/" + memberId)
                .then().statusCode(409);

        send(AccountDeleted.of(personal, deletion, user, List.of(personal, UUID.fromString(ownTeam))));
        AccountPurged receipt = awaitReceipt(deletion);
        assertEquals(2L, receipt.counts().get("tenants"));
        assertEquals(0, Sql.number("select count(*) from auth.tenants where id in (?, ?)", personal,
                UUID.fromString(ownTeam)));
        assertEquals(1, Sql.number("select count(*) from auth.tenants where id = ?", UUID.fromString(membersTeam)));
        assertEquals(0, Sql.number("select count(*) from auth.memberships where tenant_id = ?", UUID.fromString(ownTeam)));
        assertEquals(1, Sql.number("select count(*) from auth.memberships where tenant_id = ?",
                UUID.fromString(membersTeam)));
        assertEquals(0, Sql.number("select count(*) from auth.erasure_holds where user_id = ?", user));
        // the member learns at every service that they left the deleted team
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'member.changed' and message_key = ? "
                + "and payload like ?", ownTeam, "%" + memberId + "%"));
    }

    @Test
    void coOwnersErasedOneAfterTheOtherLeaveNoTenantWithoutAnOwner() throws Exception {
        Response first = SignInFlow.signIn(mailbox, newAddress());
        UUID firstId = UUID.fromString(SignInFlow.verify(first.path("access_token")).getSubject());
        String secondEmail = newAddress();
        Response second = SignInFlow.signIn(mailbox, secondEmail);
        UUID secondId = UUID.fromString(SignInFlow.verify(second.path("access_token")).getSubject());
        String team = team(first);
        join(first, team, secondEmail, second);
        given().auth().oauth2(first.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("role", "owner")).patch("/auth/tenants/" + team + "/members/" + secondId)
                .then().statusCode(200);

        // the first owner leaves while the second stays: the team stays
        RestAssured.given().auth().oauth2(serviceToken()).post("/auth/internal/users/" + firstId
                + "/erasure-scope?deletion=" + UUID.randomUUID()).then().statusCode(200)
                .body("soleOwnedTenants", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(team)));
        // then the second asks too, before the first erasure is applied: the team goes with the second
        RestAssured.given().auth().oauth2(serviceToken()).post("/auth/internal/users/" + secondId
                + "/erasure-scope?deletion=" + UUID.randomUUID()).then().statusCode(200)
                .body("soleOwnedTenants", org.hamcrest.Matchers.hasItem(team))
                .body("membersLeft.userId", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(firstId.toString())));
    }

    @Test
    void aHoldWhoseRequestWasNotRecordedIsReleased() throws Exception {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        UUID user = UUID.fromString(SignInFlow.verify(owner.path("access_token")).getSubject());
        String team = team(owner);
        String memberEmail = newAddress();
        Response member = SignInFlow.signIn(mailbox, memberEmail);
        UUID memberId = UUID.fromString(SignInFlow.verify(member.path("access_token")).getSubject());
        join(owner, team, memberEmail, member);
        UUID deletion = UUID.randomUUID();
        String scope = "/auth/internal/users/" + user + "/erasure-scope?deletion=" + deletion;
        RestAssured.given().auth().oauth2(serviceToken()).post(scope).then().statusCode(200);
        RestAssured.given().auth().oauth2(serviceToken()).post("/auth/internal/users/" + user + "/erasure-scope")
                .then().statusCode(400).body("type", org.hamcrest.Matchers.endsWith("/deletion-required"));
        given().auth().oauth2(owner.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("role", "admin")).patch("/auth/tenants/" + team + "/members/" + memberId)
                .then().statusCode(409);

        RestAssured.given().auth().oauth2(serviceToken()).delete(scope).then().statusCode(204);
        given().auth().oauth2(owner.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("role", "admin")).patch("/auth/tenants/" + team + "/members/" + memberId)
                .then().statusCode(200);
        RestAssured.given().auth().oauth2(serviceToken()).delete(scope).then().statusCode(404);
    }

    @Test
    void aRequestSentAgainToOtherServicesIsNotAppliedHere() throws Exception {
        Response staying = SignInFlow.signIn(mailbox, newAddress());
        UUID user = UUID.fromString(SignInFlow.verify(staying.path("access_token")).getSubject());
        UUID personal = UUID.fromString(staying.path("tenant_id"));
        AccountDeleted elsewhere = AccountDeleted.of(personal, UUID.randomUUID(), user, true).resentTo(List.of("billing"));
        send(elsewhere);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from auth.inbox where topic = 'account.deleted' "
                + "and event_id = ?", elsewhere.eventId()) == 1);
        assertEquals(1, Sql.number("select count(*) from auth.users where id = ?", user));
        assertEquals(0, Sql.number("select count(*) from auth.outbox where topic = 'account.purged' and payload like ?",
                "%" + elsewhere.deletionId() + "%"));
    }

    private static String serviceToken() {
        return RestAssured.given().auth().preemptive().basic("account", "test-only-secret-of-the-account-client")
                .contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .post("/auth/token").then().statusCode(200).extract().path("access_token");
    }

    private static String apiKey(Response user) {
        return given().auth().oauth2(user.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("name", "k", "scopes", List.of("generate"))).post("/auth/api-keys")
                .then().statusCode(201).extract().path("secret");
    }

    private static String team(Response owner) {
        return given().auth().oauth2(owner.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("name", "Other's team")).post("/auth/tenants").then().statusCode(201).extract().path("id");
    }

    private void join(Response owner, String team, String email, Response member) {
        given().auth().oauth2(owner.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("email", email, "role", "member")).post("/auth/tenants/" + team + "/invitations")
                .then().statusCode(202);
        String text = mailbox.getMailsSentTo(email).stream().reduce((a, b) -> b).orElseThrow().getText();
        String token = text.substring(text.indexOf("?token=") + 7, text.indexOf("?token=") + 50);
        given().auth().oauth2(member.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("token", token)).post("/auth/invitations/accept").then().statusCode(200);
    }

    private static Response exchange(String key) {
        return given().contentType(ContentType.URLENC)
                .formParam("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
                .formParam("subject_token_type", "urn:tollgate:token-type:api-key")
                .formParam("subject_token", key).post("/auth/token");
    }

    private void send(AccountDeleted event) {
        Topics.send("account.deleted", event.tenantId().toString(), codec.encode(event));
    }

    private AccountPurged awaitReceipt(UUID deletion) {
        String receipt = Topics.find("account.purged", PATIENCE,
                value -> codec.decode(value, EventType.ACCOUNT_PURGED).deletionId().equals(deletion));
        if (receipt == null) {
            throw new AssertionError("no account.purged receipt for deletion " + deletion);
        }
        return codec.decode(receipt, EventType.ACCOUNT_PURGED);
    }
}
