package dev.tollgate.auth.token;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static dev.tollgate.auth.SignInFlow.refresh;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class RefreshRotationTest {

    @Inject
    MockMailbox mailbox;

    @Test
    void eachRefreshRotatesTheTokenAndKeepsTheSession() throws Exception {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());
        String first = signIn.path("refresh_token");

        Response next = refresh(first);
        next.then().statusCode(200).header("Set-Cookie", containsString("tollgate_refresh="));
        assertNotEquals(first, next.path("refresh_token"));
        assertEquals(signIn.path("session_id").toString(), next.path("session_id").toString());
        assertEquals(SignInFlow.verify(signIn.path("access_token")).getSubject(),
                SignInFlow.verify(next.path("access_token")).getSubject());

        refresh(next.path("refresh_token")).then().statusCode(200);
    }

    @Test
    void theBrowserCookieWorksInPlaceOfTheFormField() {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());
        RestAssured.given().contentType(ContentType.URLENC)
                .cookie("tollgate_refresh", signIn.path("refresh_token"))
                .formParam("grant_type", "refresh_token")
                .post("/auth/token")
                .then().statusCode(200)
                // a browser's refresh token stays in its httpOnly cookie: the body does not repeat it
                .header("Set-Cookie", containsString("tollgate_refresh="))
                .body("$", not(hasKey("refresh_token")));
    }

    @Test
    void aBrowserSignInKeepsTheRefreshTokenInTheCookieOnly() {
        String email = newAddress();
        SignInFlow.requestLink(email).then().statusCode(202);
        RestAssured.given().contentType(ContentType.JSON)
                .body(java.util.Map.of("token", SignInFlow.tokenFromMail(mailbox, email)))
                .post("/auth/magic-link/confirm")
                .then().statusCode(200)
                .header("Set-Cookie", containsString("tollgate_refresh="))
                .body("access_token", notNullValue())
                .body("$", not(hasKey("refresh_token")));
    }

    @Test
    void twoTabsRefreshingAtOnceBothStaySignedIn() {
        String token = SignInFlow.signIn(mailbox, newAddress()).path("refresh_token");

        List<CompletableFuture<Response>> tabs = List.of(
                CompletableFuture.supplyAsync(() -> refresh(token)),
                CompletableFuture.supplyAsync(() -> refresh(token)));
        for (CompletableFuture<Response> tab : tabs) {
            Response answer = tab.join();
            answer.then().statusCode(200);
            refresh(answer.path("refresh_token")).then().statusCode(200);
        }
        // one chain, not two: both tabs were handed the same successor
        assertEquals(tabs.get(0).join().<String> path("refresh_token"), tabs.get(1).join().path("refresh_token"));
    }

    @Test
    void switchingTenantSpendsThePresentedTokenAndKeepsOneChain() {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());
        String access = signIn.path("access_token");
        String team = RestAssured.given().auth().oauth2(access).contentType(ContentType.JSON)
                .body(java.util.Map.of("name", "Team")).post("/auth/tenants").then().statusCode(201).extract().path("id");
        String first = signIn.path("refresh_token");

        Response switched = RestAssured.given().auth().oauth2(access).contentType(ContentType.URLENC)
                .formParam("refresh_token", first).post("/auth/tenants/" + team + "/switch");
        switched.then().statusCode(200).body("tenant_id", equalTo(team));
        String successor = switched.path("refresh_token");
        assertNotEquals(first, successor);
        // the spent token, replayed by another tab within the grace window, leads to the same successor
        refresh(first).then().statusCode(200).body("refresh_token", equalTo(successor)).body("tenant_id", equalTo(team));
        Sql.update("update auth.refresh_tokens set spent_at = now() - interval '1 hour' where family_id = ? "
                + "and spent_at is not null", java.util.UUID.fromString(signIn.path("session_id")));
        refresh(first).then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/refresh-token-reused"));
    }

    @Test
    void switchingWithoutTheRefreshTokenLeavesTheChainAsItIs() {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());
        String access = signIn.path("access_token");
        String team = RestAssured.given().auth().oauth2(access).contentType(ContentType.JSON)
                .body(java.util.Map.of("name", "Team")).post("/auth/tenants").then().statusCode(201).extract().path("id");

        Response switched = RestAssured.given().auth().oauth2(access).post("/auth/tenants/" + team + "/switch");
        switched.then().statusCode(200).body("tenant_id", equalTo(team)).body("$", not(hasKey("refresh_token")));
        // the token the client holds goes on, now into the new tenant
        refresh(signIn.path("refresh_token")).then().statusCode(200).body("tenant_id", equalTo(team));
    }

    @Test
    void aSessionEndsAtItsMaximumAgeHoweverOftenItIsUsed() {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());
        String fresh = refresh(signIn.path("refresh_token")).then().statusCode(200).extract().path("refresh_token");
        Sql.update("update auth.refresh_families set created_at = now() - interval '91 days' where id = ?",
                java.util.UUID.fromString(signIn.path("session_id")));

        refresh(fresh).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/session-expired"))
                .body("error", equalTo("invalid_grant"));
    }

    @Test
    void anAccessTokenAloneDoesNotRenewASessionThatEnded() {
        // a stolen access token switched again and again must not outlive its session's refresh token or its age
        Response idle = SignInFlow.signIn(mailbox, newAddress());
        Sql.update("update auth.refresh_tokens set expires_at = now() - interval '1 second' where family_id = ?",
                java.util.UUID.fromString(idle.path("session_id")));
        switchToOwnTenant(idle).then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/session-expired"));

        Response old = SignInFlow.signIn(mailbox, newAddress());
        Sql.update("update auth.refresh_families set created_at = now() - interval '91 days' where id = ?",
                java.util.UUID.fromString(old.path("session_id")));
        switchToOwnTenant(old).then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/session-expired"));
    }

    private static Response switchToOwnTenant(Response signIn) {
        return RestAssured.given().auth().oauth2(signIn.<String> path("access_token"))
                .post("/auth/tenants/" + signIn.path("tenant_id") + "/switch");
    }

    @Test
    void aReuseAfterTheGraceWindowEndsThatSessionOnly() {
        String email = newAddress();
        Response stolenSession = SignInFlow.signIn(mailbox, email);
        Response otherDevice = SignInFlow.signIn(mailbox, email);
        String spent = stolenSession.path("refresh_token");
        String successor = refresh(spent).path("refresh_token");
        Sql.update("update auth.refresh_tokens set spent_at = now() - interval '1 hour' where family_id = ? "
                + "and spent_at is not null", java.util.UUID.fromString(stolenSession.path("session_id")));

        refresh(spent).then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://tollgate.dev/problems/refresh-token-reused"))
                .body("error", equalTo("invalid_grant"));
        // the thief's (or the user's) successor token dies with the session
        refresh(successor).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/session-revoked"));
        // the user's other session lives on
        refresh(otherDevice.path("refresh_token")).then().statusCode(200);
    }

    @Test
    void expiredUnknownAndMalformedRefreshTokensAreRefused() {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());
        Sql.update("update auth.refresh_tokens set expires_at = now() - interval '1 second' where family_id = ?",
                java.util.UUID.fromString(signIn.path("session_id")));
        refresh(signIn.path("refresh_token")).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/refresh-token-expired"));

        refresh("B".repeat(43)).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/refresh-token-invalid"));
        refresh("short").then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/refresh-token-invalid"));
    }

    @Test
    void anUnsupportedGrantIsNamed() {
        RestAssured.given().contentType(ContentType.URLENC).formParam("grant_type", "password")
                .post("/auth/token")
                .then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/unsupported-grant-type"))
                .body("error", equalTo("unsupported_grant_type"));
    }
}
