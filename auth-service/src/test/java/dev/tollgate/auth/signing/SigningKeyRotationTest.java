package dev.tollgate.auth.signing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.auth.token.AccessTokens;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.Concurrently;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class SigningKeyRotationTest {

    @Inject
    MockMailbox mailbox;

    @Inject
    SigningKeys keys;

    @Inject
    AccessTokens tokens;

    @Test
    void theWellKnownDocumentsDescribeTheIssuer() {
        given().get("/.well-known/openid-configuration")
                .then().statusCode(200)
                .body("issuer", equalTo(SignInFlow.ISSUER))
                .body("jwks_uri", equalTo(SignInFlow.ISSUER + "/.well-known/jwks.json"))
                .body("id_token_signing_alg_values_supported", hasItem("ES256"));
        SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        given().get("/.well-known/jwks.json")
                .then().statusCode(200)
                .header("Cache-Control", "public, max-age=300")
                .body("keys.kty", hasItem("EC"))
                .body("keys.alg", hasItem("ES256"))
                .body("keys.use", hasItem("sig"))
                .body("keys.d", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.nullValue()));
    }

    @Test
    void afterARotationOldTokensStillVerifyAndNewOnesUseTheNewKey() throws Throwable {
        Response before = SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        String oldKid = SignInFlow.kid(before.path("access_token"));

        String newKid = VertxContextSupport.subscribeAndAwait(() -> keys.rotate());
        assertNotEquals(oldKid, newKid);

        given().get("/.well-known/jwks.json").then().statusCode(200).body("keys.kid", hasItems(oldKid, newKid));
        SignInFlow.verify(before.path("access_token"));

        Response after = SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        assertEquals(newKid, SignInFlow.kid(after.path("access_token")));
        SignInFlow.verify(after.path("access_token"));
    }

    @Test
    void anOperatorRevokesASigningKeyAtOnceAndNobodyElseMay() throws Throwable {
        Response user = SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        String victim = user.path("access_token");
        String kid = SignInFlow.kid(victim);
        String operator = VertxContextSupport.subscribeAndAwait(() -> tokens.issue(new AccessTokens.Grant(
                AuthorizationMatrix.OPERATOR.toString(), UUID.randomUUID(), List.of("member"), AccessTokens.USER_SCOPE,
                UUID.randomUUID(), null, Duration.ofMinutes(5), Instant.now())));
        given().auth().oauth2(victim).get("/auth/sessions").then().statusCode(200);

        given().auth().oauth2(victim).post("/auth/signing-keys/" + kid + "/revoke").then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/operator-required"));
        String next = given().auth().oauth2(operator).post("/auth/signing-keys/" + kid + "/revoke")
                .then().statusCode(200).body("revoked", equalTo(kid)).extract().path("signingKey");
        assertNotEquals(kid, next);

        // refused at once here, left out of the JWKS for every other verifier, and announced to every service
        given().auth().oauth2(victim).get("/auth/sessions").then().statusCode(401);
        given().get("/.well-known/jwks.json").then().statusCode(200).body("keys.kid", not(hasItem(kid)));
        assertEquals(1, Sql.number("select count(*) from auth.outbox where topic = 'signingkey.revoked' and payload like ?",
                "%" + kid + "%"));
        Response after = SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        assertEquals(next, SignInFlow.kid(after.path("access_token")));
        given().auth().oauth2(after.<String> path("access_token")).get("/auth/sessions").then().statusCode(200);
        given().auth().oauth2(after.<String> path("access_token")).post("/auth/signing-keys/unknown/revoke")
                .then().statusCode(403);
    }

    @Test
    void concurrentFirstUsesOfANewKeyAreAllVerified() throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> keys.rotate());
        String access = SignInFlow.signIn(mailbox, SignInFlow.newAddress()).path("access_token");
        List<Integer> answers = Concurrently.all(16,
                () -> given().auth().oauth2(access).get("/auth/sessions").statusCode());
        assertEquals(List.of(200), answers.stream().distinct().toList(),
                "a token of the new key, verified at once by every request: " + answers);
    }

    @Test
    void aRetiredKeyLeavesTheJwksOnceItsTokensHaveExpired() throws Throwable {
        SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        String retired = VertxContextSupport.subscribeAndAwait(() -> keys.rotate());
        VertxContextSupport.subscribeAndAwait(() -> keys.rotate());
        Sql.update("update auth.signing_keys set published_until = now() - interval '1 second' where kid = ?", retired);

        given().get("/.well-known/jwks.json").then().statusCode(200)
                .body("keys.kid", org.hamcrest.Matchers.not(hasItem(retired)));
    }
}
