package dev.tollgate.auth.token;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static dev.tollgate.auth.SignInFlow.refresh;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuer;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class SessionsTest {

    @Inject
    MockMailbox mailbox;

    @Test
    void aUserSeesTheirOwnSessionsAndWhichOneIsCurrent() {
        String email = newAddress();
        Response laptop = SignInFlow.signIn(mailbox, email);
        Response phone = SignInFlow.signIn(mailbox, email);
        Response stranger = SignInFlow.signIn(mailbox, newAddress());

        given().auth().oauth2(laptop.path("access_token")).get("/auth/sessions")
                .then().statusCode(200)
                .body("$", hasSize(2))
                .body("id", hasItem(phone.path("session_id").toString()))
                .body("id", not(hasItem(stranger.path("session_id").toString())))
                .body("find { it.current }.id", equalTo(laptop.path("session_id").toString()));
    }

    @Test
    void endingALostDevicesSessionStopsItsRefreshToken() {
        String email = newAddress();
        Response laptop = SignInFlow.signIn(mailbox, email);
        Response lostPhone = SignInFlow.signIn(mailbox, email);

        given().auth().oauth2(laptop.path("access_token"))
                .delete("/auth/sessions/" + lostPhone.path("session_id"))
                .then().statusCode(204);

        refresh(lostPhone.path("refresh_token")).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/session-revoked"));
        refresh(laptop.path("refresh_token")).then().statusCode(200);
    }

    @Test
    void anotherUsersSessionDoesNotExist() {
        Response mine = SignInFlow.signIn(mailbox, newAddress());
        Response theirs = SignInFlow.signIn(mailbox, newAddress());

        given().auth().oauth2(mine.path("access_token"))
                .delete("/auth/sessions/" + theirs.path("session_id"))
                .then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        given().auth().oauth2(mine.path("access_token"))
                .delete("/auth/sessions/" + UUID.randomUUID())
                .then().statusCode(404);
        refresh(theirs.path("refresh_token")).then().statusCode(200);
    }

    @Test
    void signingOutEndsTheSessionAndClearsTheCookie() {
        Response signIn = SignInFlow.signIn(mailbox, newAddress());

        given().auth().oauth2(signIn.path("access_token")).post("/auth/logout")
                .then().statusCode(204)
                .header("Set-Cookie", containsString("tollgate_refresh=;"))
                .header("Set-Cookie", containsString("Max-Age=0"));

        refresh(signIn.path("refresh_token")).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/session-revoked"));
    }

    @Test
    void requestsWithoutAValidTokenAreRefused() throws Exception {
        given().get("/auth/sessions").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType(containsString("application/problem+json"));
        given().auth().oauth2("not.a.token").get("/auth/sessions").then().statusCode(401)
                .body("type", equalTo("https://tollgate.dev/problems/invalid-token"));

        String honest = SignInFlow.signIn(mailbox, newAddress()).path("access_token");
        String[] parts = honest.split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);

        // alg none, with the real key id
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString(
                header.replace("ES256", "none").getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        given().auth().oauth2(none).get("/auth/sessions").then().statusCode(401);

        // HS256 keyed with the published public key
        String kid = SignInFlow.kid(honest);
        JsonWebKeySet jwks = new JsonWebKeySet(given().get("/.well-known/jwks.json").asString());
        PublicJsonWebKey published = (PublicJsonWebKey) jwks.findJsonWebKey(kid, null, null, null);
        JsonWebSignature confused = new JsonWebSignature();
        confused.setPayload(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        confused.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        confused.setKeyIdHeaderValue(kid);
        confused.setKey(new HmacKey(published.getPublicKey().getEncoded()));
        given().auth().oauth2(confused.getCompactSerialization()).get("/auth/sessions").then().statusCode(401);

        // a well-formed token from some other issuer
        String foreign = TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), UUID.randomUUID(), "owner"));
        given().auth().oauth2(foreign).get("/auth/sessions").then().statusCode(401);

        given().auth().oauth2(honest).get("/auth/sessions").then().statusCode(200).body("$", hasSize(1));
    }
}
