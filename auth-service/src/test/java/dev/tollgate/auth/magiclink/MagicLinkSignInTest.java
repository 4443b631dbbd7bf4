package dev.tollgate.auth.magiclink;

import static dev.tollgate.auth.SignInFlow.confirm;
import static dev.tollgate.auth.SignInFlow.newAddress;
import static dev.tollgate.auth.SignInFlow.requestLink;
import static dev.tollgate.auth.SignInFlow.tokenFromMail;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class MagicLinkSignInTest {

    @Inject
    MockMailbox mailbox;

    @Test
    void aFirstSignInCreatesTheUserAndAPersonalTenantAndIssuesVerifiableTokens() throws Exception {
        String email = newAddress();
        requestLink(email).then().statusCode(202).body("status", equalTo("accepted"));
        String token = tokenFromMail(mailbox, email);

        Response response = confirm(token);
        response.then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo(900))
                .body("refresh_token", notNullValue());
        String cookie = response.getHeader("Set-Cookie");
        assertTrue(cookie.startsWith("tollgate_refresh=" + response.path("refresh_token")), cookie);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"), cookie);

        JwtClaims claims = SignInFlow.verify(response.path("access_token"));
        assertEquals(response.path("tenant_id").toString(), claims.getClaimValueAsString("tid"));
        assertEquals(List.of("owner"), claims.getStringListClaimValue("roles"));
        assertEquals("api", claims.getClaimValueAsString("scope"));
        assertNotNull(claims.getSubject());
        assertNotNull(claims.getJwtId());
    }

    @Test
    void aSecondSignInFindsTheSameUserAndTenant() throws Exception {
        String email = newAddress();
        Response first = SignInFlow.signIn(mailbox, email);
        // the same address typed in capitals: the mail goes to the address as the user first gave it
        requestLink(email.toUpperCase()).then().statusCode(202);
        Response second = confirm(tokenFromMail(mailbox, email));
        second.then().statusCode(200);
        assertEquals(first.path("tenant_id").toString(), second.path("tenant_id").toString());
        assertEquals(SignInFlow.verify(first.path("access_token")).getSubject(),
                SignInFlow.verify(second.path("access_token")).getSubject());
    }

    @Test
    void openingTheLinkShowsAConfirmationAndSpendsNothing() {
        String email = newAddress();
        requestLink(email).then().statusCode(202);
        String token = tokenFromMail(mailbox, email);

        for (int scanner = 0; scanner < 3; scanner++) {
            given().get("/auth/magic-link/confirm?token=" + token)
                    .then().statusCode(200)
                    .contentType(containsString("text/html"))
                    .header("Referrer-Policy", "no-referrer")
                    .body(containsString("<form method=\"post\" action=\"/auth/magic-link/confirm\">"))
                    .body(containsString(token));
        }
        confirm(token).then().statusCode(200);
    }

    @Test
    void theConfirmationFormSignsTheBrowserInAndSendsItToTheAllowedRedirect() {
        String email = newAddress();
        given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "redirect", "https://app.tollgate.test/welcome"))
                .post("/auth/magic-link").then().statusCode(202);

        given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("token", tokenFromMail(mailbox, email))
                .post("/auth/magic-link/confirm")
                .then().statusCode(303)
                .header("Location", "https://app.tollgate.test/welcome")
                .header("Set-Cookie", containsString("tollgate_refresh="));
    }

    @Test
    void aRedirectOutsideTheAllowedOnesIsRefused() {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", newAddress(), "redirect", "https://evil.example/steal"))
                .post("/auth/magic-link")
                .then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://tollgate.dev/problems/redirect-not-allowed"));
    }

    @Test
    void aRedirectThatOnlyLooksAllowedIsRefusedAndAnUnreadableOneIsNamed() {
        for (String lookalike : List.of("https://app.tollgate.test.evil.example/",
                "https://app.tollgate.test:8443/", "http://app.tollgate.test/",
                "https://evil.example/https://app.tollgate.test/")) {
            given().contentType(ContentType.JSON).body(Map.of("email", newAddress(), "redirect", lookalike))
                    .post("/auth/magic-link")
                    .then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/redirect-not-allowed"));
        }
        for (String unreadable : List.of("not a url", "javascript:alert(1)", "https://app.tollgate.test@evil.example/",
                "https://app.tollgate.test/%zz", "//evil.example/")) {
            given().contentType(ContentType.JSON).body(Map.of("email", newAddress(), "redirect", unreadable))
                    .post("/auth/magic-link")
                    .then().statusCode(400).body("type", equalTo("https://tollgate.dev/problems/redirect-invalid"));
        }
    }

    @Test
    void aCrossSiteConfirmationIsRefusedAndSpendsNothing() {
        String email = newAddress();
        requestLink(email).then().statusCode(202);
        String token = tokenFromMail(mailbox, email);

        given().redirects().follow(false).contentType(ContentType.URLENC).header("Sec-Fetch-Site", "cross-site")
                .formParam("token", token).post("/auth/magic-link/confirm")
                .then().statusCode(403).body("type", equalTo("https://tollgate.dev/problems/cross-site-post"));
        given().redirects().follow(false).contentType(ContentType.URLENC).header("Origin", "https://evil.example")
                .formParam("token", token).post("/auth/magic-link/confirm")
                .then().statusCode(403).body("type", equalTo("https://tollgate.dev/problems/cross-site-post"))
                .body("detail", containsString("https://evil.example"));

        given().redirects().follow(false).contentType(ContentType.URLENC).header("Sec-Fetch-Site", "same-origin")
                .formParam("token", token).post("/auth/magic-link/confirm")
                .then().statusCode(200).header("Set-Cookie", containsString("tollgate_refresh="));
    }

    @Test
    void aLinkWorksOnce() {
        String email = newAddress();
        requestLink(email).then().statusCode(202);
        String token = tokenFromMail(mailbox, email);
        confirm(token).then().statusCode(200);

        confirm(token).then().statusCode(410)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://tollgate.dev/problems/magic-link-used"));
    }

    @Test
    void anExpiredLinkIsRefused() {
        String email = newAddress();
        requestLink(email).then().statusCode(202);
        String token = tokenFromMail(mailbox, email);
        Sql.update("update auth.magic_link_challenges set expires_at = now() - interval '1 second' where email = ?",
                email);

        confirm(token).then().statusCode(410)
                .body("type", equalTo("https://tollgate.dev/problems/magic-link-expired"));
    }

    @Test
    void unknownAndMalformedTokensAreRefused() {
        confirm("A".repeat(43)).then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://tollgate.dev/problems/magic-link-unknown"));
        confirm("not-a-token").then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/magic-link-malformed"));
        given().get("/auth/magic-link/confirm?token=<script>").then().statusCode(200)
                .body(containsString("incomplete"))
                .body(org.hamcrest.Matchers.not(containsString("<script>")));
    }

    @Test
    void knownAndUnknownAddressesGetTheSameAnswer() {
        String known = newAddress();
        SignInFlow.signIn(mailbox, known);

        Response forKnown = requestLink(known);
        Response forUnknown = requestLink(newAddress());
        assertEquals(forKnown.statusCode(), forUnknown.statusCode());
        assertEquals(forKnown.asString(), forUnknown.asString());
    }

    @Test
    void anInvalidAddressIsAProblemNamingTheField() {
        given().contentType(ContentType.JSON).body(Map.of("email", "not-an-address"))
                .post("/auth/magic-link")
                .then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("violations.field", hasItem(containsString("email")));
    }

    @Test
    void malformedAndOversizedBodiesAreRefusedAsProblems() {
        given().contentType(ContentType.JSON).body("{\"email\": ").post("/auth/magic-link")
                .then().statusCode(400)
                .contentType(containsString("application/problem+json"));
        given().contentType(ContentType.JSON).body("{\"email\":\"" + "a".repeat(70_000) + "@example.com\"}")
                .post("/auth/magic-link")
                .then().statusCode(413);
    }

    @Test
    void tooManyLinksForOneAddressAreLimitedWithRetryAfter() {
        String email = newAddress();
        for (int i = 0; i < 5; i++) {
            requestLink(email).then().statusCode(202);
        }
        requestLink(email).then().statusCode(429)
                .contentType(containsString("application/problem+json"))
                .header("Retry-After", notNullValue())
                .body("type", equalTo("https://tollgate.dev/problems/rate-limited"));
        // another address is not held back by it
        requestLink(newAddress()).then().statusCode(202);
    }
}
