package dev.tollgate.auth.apikey;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.auth.SignInFlow;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class ApiKeysTest {

    private static final String CLIENT = "generation";
    private static final String CLIENT_SECRET = "test-only-secret-of-the-generation-client";

    @Inject
    MockMailbox mailbox;

    @Test
    void aKeyIsShownOnceAndListedWithoutItsSecret() {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        Response created = create(user, "ci", List.of("generate"));
        created.then().statusCode(201)
                .header("Cache-Control", "no-store")
                .body("secret", startsWith("tg_live_"))
                .body("key.prefix", equalTo(((String) created.path("secret")).substring(8, 20)))
                .body("key.scopes", equalTo(List.of("generate")));

        as(user).get("/auth/api-keys").then().statusCode(200)
                .body("name", hasItem("ci"))
                .body("[0]", not(hasKey("secret")))
                .body("[0]", not(hasKey("secretHash")));
    }

    @Test
    void badScopesAndPastExpiriesAreNamed() {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        create(user, "ci", List.of("generate", "root")).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/unknown-scope"))
                .body("detail", containsString("root"));
        as(user).contentType(ContentType.JSON)
                .body(Map.of("name", "old", "scopes", List.of("generate"), "expiresAt", "2020-01-01T00:00:00Z"))
                .post("/auth/api-keys").then().statusCode(400)
                .body("violations.field", hasItem(containsString("expiresAt")));
    }

    @Test
    void aKeyIsExchangedForAShortTokenOfItsTenantAndScopes() throws Exception {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        Response created = create(user, "ci", List.of("generate", "usage:read"));

        Response exchanged = SignInFlow.exchange(created.path("secret"));
        exchanged.then().statusCode(200)
                .body("issued_token_type", equalTo("urn:ietf:params:oauth:token-type:access_token"))
                .body("scope", equalTo("generate usage:read"))
                .body("$", not(hasKey("refresh_token")));
        JwtClaims claims = SignInFlow.verify(exchanged.path("access_token"));
        assertEquals(user.path("tenant_id").toString(), claims.getClaimValueAsString("tid"));
        assertEquals(created.path("key.id").toString(), claims.getClaimValueAsString("akid"));
        assertEquals(List.of("api-key"), claims.getStringListClaimValue("roles"));

        SignInFlow.exchange("tg_live_aaaaaaaaaaaa_" + "A".repeat(43)).then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/api-key-invalid"));
    }

    @Test
    void servicesVerifyKeysWithAClientCredentialsToken() {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        String secret = create(user, "ci", List.of("generate")).path("secret");

        String serviceToken = given().auth().preemptive().basic(CLIENT, CLIENT_SECRET)
                .contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .post("/auth/token")
                .then().statusCode(200).body("scope", equalTo("internal api-keys:verify"))
                .extract().path("access_token");

        given().auth().oauth2(serviceToken).contentType(ContentType.JSON).body(Map.of("key", secret))
                .post("/auth/internal/api-keys/verify")
                .then().statusCode(200)
                .body("tenantId", equalTo(user.path("tenant_id").toString()))
                .body("scopes", equalTo(List.of("generate")));
        given().auth().oauth2(serviceToken).contentType(ContentType.JSON).body(Map.of("key", "tg_live_nope"))
                .post("/auth/internal/api-keys/verify")
                .then().statusCode(404).body("type", equalTo("https://tollgate.dev/problems/api-key-invalid"));

        // a user's token is not a service's
        as(user).contentType(ContentType.JSON).body(Map.of("key", secret)).post("/auth/internal/api-keys/verify")
                .then().statusCode(403);
        given().contentType(ContentType.JSON).body(Map.of("key", secret)).post("/auth/internal/api-keys/verify")
                .then().statusCode(401);
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", CLIENT).formParam("client_secret", "wrong")
                .post("/auth/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void aRotatedKeyKeepsWorkingThroughTheOverlapOnly() {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        Response original = create(user, "deploy", List.of("generate"));

        Response rotated = as(user).post("/auth/api-keys/" + original.path("key.id") + "/rotate");
        rotated.then().statusCode(201).body("secret", startsWith("tg_live_"));
        Instant overlapEnd = Instant.parse(rotated.path("previousKeyValidUntil"));
        Duration overlap = Duration.between(Instant.now(), overlapEnd);
        assertTrue(overlap.compareTo(Duration.ofHours(23)) > 0 && overlap.compareTo(Duration.ofHours(24)) <= 0,
                "the old key works for the 24 h overlap: " + overlap);

        SignInFlow.exchange(original.path("secret")).then().statusCode(200);
        SignInFlow.exchange(rotated.path("secret")).then().statusCode(200);
        Sql.update("update auth.api_keys set revoked_at = now() - interval '1 second' where id = ?",
                UUID.fromString(original.path("key.id")));
        SignInFlow.exchange(original.path("secret")).then().statusCode(400);
        SignInFlow.exchange(rotated.path("secret")).then().statusCode(200);
    }

    @Test
    void aRevokedKeyStopsAtOnceAndTheRevocationIsPublished() {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        Response created = create(user, "ci", List.of("generate"));
        String keyId = created.path("key.id");

        as(user).delete("/auth/api-keys/" + keyId).then().statusCode(204);

        SignInFlow.exchange(created.path("secret")).then().statusCode(400);
        await().atMost(Duration.ofSeconds(60)).until(() -> publishedRevocations(keyId) == 1);
    }

    @Test
    void keysStayInsideTheirTenantAndMembersSeeTheirOwn() {
        Response alice = SignInFlow.signIn(mailbox, newAddress());
        Response bob = SignInFlow.signIn(mailbox, newAddress());
        String alicesKey = create(alice, "ci", List.of("generate")).path("key.id");

        as(bob).get("/auth/api-keys").then().statusCode(200).body("id", not(hasItem(alicesKey)));
        as(bob).post("/auth/api-keys/" + alicesKey + "/rotate").then().statusCode(404);
        as(bob).delete("/auth/api-keys/" + alicesKey).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        SignInFlow.exchange(create(alice, "other", List.of("generate")).path("secret")).then().statusCode(200);
    }

    private static RequestSpecification as(Response signedIn) {
        return given().auth().oauth2(signedIn.path("access_token"));
    }

    private static Response create(Response user, String name, List<String> scopes) {
        return as(user).contentType(ContentType.JSON).body(Map.of("name", name, "scopes", scopes))
                .post("/auth/api-keys");
    }

    private static long publishedRevocations(String keyId) {
        return Sql.number("select count(*) from auth.outbox where topic = 'apikey.revoked' and payload like ? "
                + "and published_at is not null", "%" + keyId + "%");
    }
}
