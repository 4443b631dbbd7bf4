package dev.tollgate.auth.tenant;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class TenantsTest {

    private static final Pattern INVITATION = Pattern.compile("\\?token=([A-Za-z0-9_-]{43})");

    @Inject
    MockMailbox mailbox;

    @Test
    void aUserCreatesATeamAndSeesOnlyTheirTenants() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");

        as(owner).get("/auth/tenants").then().statusCode(200)
                .body("$", hasSize(2))
                .body("find { it.id == '" + team + "' }.role", equalTo("owner"))
                .body("find { it.personal }.id", equalTo(owner.path("tenant_id").toString()));

        Response stranger = SignInFlow.signIn(mailbox, newAddress());
        as(stranger).get("/auth/tenants/" + team).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        as(stranger).get("/auth/tenants/" + team + "/members").then().statusCode(404);
        as(stranger).get("/auth/tenants").then().statusCode(200).body("id", org.hamcrest.Matchers.not(hasItem(team)));
    }

    @Test
    void anInvitedAddressJoinsAndCanSwitchToTheTenant() throws Exception {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        String inviteeAddress = newAddress();

        as(owner).contentType(ContentType.JSON).body(Map.of("email", inviteeAddress, "role", "member"))
                .post("/auth/tenants/" + team + "/invitations")
                .then().statusCode(202).body("role", equalTo("member"));
        String token = invitationToken(inviteeAddress);

        Response invitee = SignInFlow.signIn(mailbox, inviteeAddress);
        accept(invitee, token).then().statusCode(200).body("id", equalTo(team)).body("role", equalTo("member"));
        accept(invitee, token).then().statusCode(410)
                .body("type", equalTo("https://tollgate.dev/problems/invitation-used"));

        as(owner).get("/auth/tenants/" + team + "/members").then().statusCode(200)
                .body("email", hasItem(inviteeAddress));

        Response switched = switchWithRefreshToken(invitee, team);
        switched.then().statusCode(200);
        JwtClaims claims = SignInFlow.verify(switched.path("access_token"));
        assertEquals(team, claims.getClaimValueAsString("tid"));
        assertEquals(List.of("member"), claims.getStringListClaimValue("roles"));
        // the session's refresh token now continues in the team
        JwtClaims refreshed = SignInFlow.verify(SignInFlow.refresh(switched.path("refresh_token")).path("access_token"));
        assertEquals(team, refreshed.getClaimValueAsString("tid"));
    }

    @Test
    void anInvitationIsForItsAddressOnlyAndExpires() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        String invited = newAddress();
        invite(owner, team, invited, "admin").then().statusCode(202);
        String token = invitationToken(invited);

        Response somebodyElse = SignInFlow.signIn(mailbox, newAddress());
        accept(somebodyElse, token).then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/invitation-for-another-address"));

        Sql.update("update auth.invitations set expires_at = now() - interval '1 second' where email = ?", invited);
        accept(SignInFlow.signIn(mailbox, invited), token).then().statusCode(410)
                .body("type", equalTo("https://tollgate.dev/problems/invitation-expired"));
    }

    @Test
    void onlyManagersInviteAndOnlyOwnersMakeOwners() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        Response admin = join(owner, team, "admin");
        Response member = join(owner, team, "member");
        Response outsider = SignInFlow.signIn(mailbox, newAddress());

        invite(member, team, newAddress(), "member").then().statusCode(403)
                .contentType(containsString("application/problem+json"));
        invite(admin, team, newAddress(), "owner").then().statusCode(403);
        invite(admin, team, newAddress(), "member").then().statusCode(202);
        invite(outsider, team, newAddress(), "member").then().statusCode(404);
        invite(owner, team, "not-an-address", "member").then().statusCode(400);
        invite(owner, team, newAddress(), "emperor").then().statusCode(400);
    }

    @Test
    void rolesChangeWithinTheRulesAndATenantKeepsAnOwner() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        Response admin = join(owner, team, "admin");
        String ownerId = userId(owner);
        String adminId = userId(admin);

        changeRole(admin, team, ownerId, "member").then().statusCode(403);
        changeRole(owner, team, ownerId, "member").then().statusCode(409)
                .body("type", equalTo("https://tollgate.dev/problems/last-owner"));
        as(owner).delete("/auth/tenants/" + team + "/members/" + ownerId).then().statusCode(409);

        changeRole(owner, team, adminId, "owner").then().statusCode(200).body("role", equalTo("owner"));
        changeRole(owner, team, ownerId, "member").then().statusCode(200).body("role", equalTo("member"));
    }

    @Test
    void aRemovedMembersSessionInTheTenantEnds() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        Response member = join(owner, team, "member");
        Response inTeam = switchWithRefreshToken(member, team);
        inTeam.then().statusCode(200);

        as(owner).delete("/auth/tenants/" + team + "/members/" + userId(member)).then().statusCode(204);

        SignInFlow.refresh(inTeam.path("refresh_token")).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/session-revoked"));
        as(member).post("/auth/tenants/" + team + "/switch").then().statusCode(404);
    }

    @Test
    void aRemovedMembersKeysEndWithTheMembership() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        String address = newAddress();
        invite(owner, team, address, "member").then().statusCode(202);
        String invitation = invitationToken(address);
        Response member = SignInFlow.signIn(mailbox, address);
        accept(member, invitation).then().statusCode(200);
        Response inTeam = as(member).post("/auth/tenants/" + team + "/switch");
        inTeam.then().statusCode(200);
        Response key = given().auth().oauth2(inTeam.<String> path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "scopes", List.of("keys:manage"))).post("/auth/api-keys");
        key.then().statusCode(201);
        String exchanged = SignInFlow.exchange(key.path("secret")).then().statusCode(200).extract().path("access_token");
        given().auth().oauth2(exchanged).get("/auth/api-keys").then().statusCode(200);

        as(owner).delete("/auth/tenants/" + team + "/members/" + userId(member)).then().statusCode(204);

        SignInFlow.exchange(key.path("secret")).then().statusCode(400).body("error", equalTo("invalid_grant"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().auth().oauth2(exchanged)
                .get("/auth/api-keys").then().statusCode(401)
                .body("type", equalTo("https://tollgate.dev/problems/api-key-revoked")));
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'apikey.revoked' and payload like ?",
                "%" + key.path("key.id") + "%"));
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'member.changed' and payload like ?",
                "%" + userId(member) + "%"));

        // a key that escaped the removal (created while it committed) does not come back with a later membership
        // (here a minute later: the clocks of auth's replicas may differ by seconds)
        Sql.update("update auth.api_keys set revoked_at = null, created_at = created_at - interval '1 minute' "
                + "where id = ?::uuid", key.<String> path("key.id"));
        SignInFlow.exchange(key.path("secret")).then().statusCode(400);
        invite(owner, team, address, "member").then().statusCode(202);
        accept(member, invitationToken(address)).then().statusCode(200);
        SignInFlow.exchange(key.path("secret")).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void aMemberMayLeave() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String team = createTeam(owner, "Acme");
        Response member = join(owner, team, "member");

        as(member).delete("/auth/tenants/" + team + "/members/" + userId(member)).then().statusCode(204);
        as(member).get("/auth/tenants/" + team).then().statusCode(404);
    }

    /** A switch as a native app sends it: the session's refresh token in the form, spent for its successor. */
    private static Response switchWithRefreshToken(Response signedIn, String team) {
        return as(signedIn).contentType(ContentType.URLENC).formParam("refresh_token", signedIn.<String> path("refresh_token"))
                .post("/auth/tenants/" + team + "/switch");
    }

    private static RequestSpecification as(Response signedIn) {
        return given().auth().oauth2(signedIn.path("access_token"));
    }

    private static String createTeam(Response owner, String name) {
        return as(owner).contentType(ContentType.JSON).body(Map.of("name", name)).post("/auth/tenants")
                .then().statusCode(201).header("Location", containsString("/auth/tenants/"))
                .body("role", equalTo("owner")).body("personal", equalTo(false))
                .extract().path("id");
    }

    private static Response invite(Response actor, String team, String email, String role) {
        return as(actor).contentType(ContentType.JSON).body(Map.of("email", email, "role", role))
                .post("/auth/tenants/" + team + "/invitations");
    }

    private static Response accept(Response signedIn, String token) {
        return as(signedIn).contentType(ContentType.JSON).body(Map.of("token", token)).post("/auth/invitations/accept");
    }

    private static Response changeRole(Response actor, String team, String userId, String role) {
        return as(actor).contentType(ContentType.JSON).body(Map.of("role", role))
                .patch("/auth/tenants/" + team + "/members/" + userId);
    }

    private Response join(Response owner, String team, String role) {
        String address = newAddress();
        invite(owner, team, address, role).then().statusCode(202);
        String token = invitationToken(address);
        Response joined = SignInFlow.signIn(mailbox, address);
        accept(joined, token).then().statusCode(200);
        return joined;
    }

    private String invitationToken(String address) {
        List<Mail> mails = mailbox.getMailsSentTo(address);
        Mail mail = mails.stream().filter(m -> InvitationMail.SUBJECT.equals(m.getSubject())).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no invitation to " + address));
        Matcher matcher = INVITATION.matcher(mail.getText());
        if (!matcher.find()) {
            throw new AssertionError("no invitation link in " + mail.getText());
        }
        return matcher.group(1);
    }

    private static String userId(Response signedIn) {
        try {
            return SignInFlow.verify(signedIn.path("access_token")).getSubject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
