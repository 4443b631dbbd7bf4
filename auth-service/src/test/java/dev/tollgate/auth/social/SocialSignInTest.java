package dev.tollgate.auth.social;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.testing.DevStackTestResource;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The authorization-code flow with PKCE and state against an OpenID Connect provider, walked as a browser
 * walks it: to the provider and back.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(FakeOidcProvider.class)
class SocialSignInTest {

    @Inject
    MockMailbox mailbox;

    /** Where the browser stands mid-flow: the provider's authorize request and the cookies it holds. */
    private record Started(Map<String, String> authorize, Map<String, String> cookies) {
    }

    @Test
    void aVerifiedAccountSignsInAndLeavesWithARefreshCookie() throws Exception {
        String email = newAddress();
        Started flow = start();
        assertEquals("S256", flow.authorize().get("code_challenge_method"));
        assertEquals(FakeOidcProvider.CLIENT_ID, flow.authorize().get("client_id"));

        String refreshToken = finish(flow, "subject-" + UUID.randomUUID(), email, true);

        Response tokens = SignInFlow.refresh(refreshToken);
        tokens.then().statusCode(200);
        assertNotNull(SignInFlow.verify(tokens.path("access_token")).getSubject());
    }

    @Test
    void theSameProviderAccountAndAMailSignInShareOneUser() throws Exception {
        String email = newAddress();
        String byMail = SignInFlow.verify(SignInFlow.signIn(mailbox, email).path("access_token")).getSubject();
        String subject = "subject-" + UUID.randomUUID();

        String first = userOf(finish(start(), subject, email, true));
        String again = userOf(finish(start(), subject, email, true));

        assertEquals(byMail, first);
        assertEquals(byMail, again);
    }

    @Test
    void aCodeIssuedForAnotherPkceChallengeIsRefused() {
        Started flow = start();
        String code = "code-" + UUID.randomUUID();
        // an attacker's code, bound to the attacker's own verifier, injected into this browser's callback
        FakeOidcProvider.issueCode(code, FakeOidcProvider.s256("the-attackers-own-verifier-0123456789abcdef"),
                "attacker", newAddress(), true);

        callback(flow, code, flow.authorize().get("state")).then().statusCode(401);
    }

    @Test
    void aTamperedStateIsRefused() {
        Started flow = start();
        String code = "code-" + UUID.randomUUID();
        FakeOidcProvider.issueCode(code, flow.authorize().get("code_challenge"), "someone", newAddress(), true);

        callback(flow, code, flow.authorize().get("state") + "x").then().statusCode(401);
    }

    @Test
    void anUnverifiedAddressIsNotTrusted() {
        Started flow = start();
        String code = "code-" + UUID.randomUUID();
        FakeOidcProvider.issueCode(code, flow.authorize().get("code_challenge"), "subject-" + UUID.randomUUID(),
                newAddress(), false);
        Response back = callback(flow, code, flow.authorize().get("state"));
        back.then().statusCode(302);

        landing(flow, back).then().statusCode(403)
                .contentType(containsString("application/problem+json"))
                .body("detail", containsString("verified email"));
    }

    private static Started start() {
        Response response = given().redirects().follow(false).get("/auth/social/fake/login");
        response.then().statusCode(302);
        return new Started(query(URI.create(response.header("Location"))), new HashMap<>(response.getCookies()));
    }

    private static Response callback(Started flow, String code, String state) {
        URI redirect = URI.create(flow.authorize().get("redirect_uri"));
        return given().redirects().follow(false).cookies(flow.cookies())
                .queryParam("code", code).queryParam("state", state)
                .get(redirect.getPath());
    }

    private static Response landing(Started flow, Response back) {
        Map<String, String> cookies = new HashMap<>(flow.cookies());
        cookies.putAll(back.getCookies());
        return given().redirects().follow(false).cookies(cookies).get(URI.create(back.header("Location")).getPath());
    }

    /** Completes the flow for this provider account; answers the refresh token Tollgate set. */
    private static String finish(Started flow, String subject, String email, boolean verified) {
        String code = "code-" + UUID.randomUUID();
        FakeOidcProvider.issueCode(code, flow.authorize().get("code_challenge"), subject, email, verified);
        Response back = callback(flow, code, flow.authorize().get("state"));
        back.then().statusCode(302);
        Response landed = landing(flow, back);
        landed.then().statusCode(303).header("Location", equalTo("http://tollgate.test/"));
        String refresh = landed.getCookie("tollgate_refresh");
        assertNotNull(refresh, "the refresh cookie is set");
        return refresh;
    }

    private static String userOf(String refreshToken) throws Exception {
        return SignInFlow.verify(SignInFlow.refresh(refreshToken).path("access_token")).getSubject();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

}
