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

    @Test
    void aKeyCarriesControlsOfItsOwnThatCanBeChangedLaterAndEveryChangeIsAnnounced() {
        Response user = SignInFlow.signIn(mailbox, newAddress());
        Map<String, Object> limits = Map.of("monthlyBudget", Map.of("generations", 100, "cost_micros", 5_000_000),
                "requestsPerMinute", 10, "tokensPerMinute", 5000, "models", List.of("small"));
        Response created = as(user).contentType(ContentType.JSON)
                .body(Map.of("name", "customer-42", "scopes", List.of("generate"), "limits", limits))
                .post("/auth/api-keys");
        created.then().statusCode(201)
                .body("key.limits.monthlyBudget.generations", equalTo(100))
                .body("key.limits.requestsPerMinute", equalTo(10))
                .body("key.limits.tokensPerMinute", equalTo(5000))
                .body("key.limits.models", equalTo(List.of("small")));
        String keyId = created.path("key.id");

        // what the gateway is told: the key's controls, counted under the first key of its rotation line
        given().auth().oauth2(serviceToken()).contentType(ContentType.JSON).body(Map.of("key", created.path("secret")))
                .post("/auth/internal/api-keys/verify").then().statusCode(200)
                .body("lineageId", equalTo(keyId))
                .body("limits.monthlyBudget.cost_micros", equalTo(5_000_000))
                .body("limits.models", equalTo(List.of("small")));

        // changed: the whole controls replaced, announced on apikey.changed
        as(user).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("monthlyBudget", Map.of("generations", 500), "requestsPerMinute", 60)))
                .patch("/auth/api-keys/" + keyId).then().statusCode(200)
                .body("limits.monthlyBudget.generations", equalTo(500))
                .body("limits.monthlyBudget", not(hasKey("cost_micros")))
                .body("limits.requestsPerMinute", equalTo(60))
                .body("limits.tokensPerMinute", equalTo(null))
                .body("limits.models", equalTo(List.of()));
        await().atMost(Duration.ofSeconds(60)).until(() -> Sql.number("select count(*) from auth.outbox where topic = "
                + "'apikey.changed' and payload like ? and published_at is not null", "%" + keyId + "%") == 1);
        given().auth().oauth2(serviceToken()).queryParam("tenant", user.path("tenant_id").toString())
                .get("/auth/internal/api-keys/" + keyId).then().statusCode(200)
                .body("keyId", equalTo(keyId))
                .body("limits.monthlyBudget.generations", equalTo(500));

        // a rotated key's successor keeps the controls and counts in the same line
        Response rotated = as(user).post("/auth/api-keys/" + keyId + "/rotate");
        rotated.then().statusCode(201).body("key.limits.monthlyBudget.generations", equalTo(500));
        given().auth().oauth2(serviceToken()).contentType(ContentType.JSON).body(Map.of("key", rotated.path("secret")))
                .post("/auth/internal/api-keys/verify").then().statusCode(200)
                .body("keyId", equalTo(rotated.path("key.id")))
                .body("lineageId", equalTo(keyId));
        // narrowed after the rotation: the old secret, still in its overlap, is narrowed with it
        as(user).contentType(ContentType.JSON).body(Map.of("limits", Map.of("monthlyBudget", Map.of("generations", 50))))
                .patch("/auth/api-keys/" + rotated.path("key.id")).then().statusCode(200);
        given().auth().oauth2(serviceToken()).contentType(ContentType.JSON).body(Map.of("key", created.path("secret")))
                .post("/auth/internal/api-keys/verify").then().statusCode(200)
                .body("limits.monthlyBudget.generations", equalTo(50));
        // another tenant's id for the key: unknown
        given().auth().oauth2(serviceToken()).queryParam("tenant", UUID.randomUUID().toString())
                .get("/auth/internal/api-keys/" + rotated.path("key.id")).then().statusCode(404);
        // a mistyped control is refused, never a key without it
        as(user).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("tokens_per_minute", 1000)))
                .patch("/auth/api-keys/" + rotated.path("key.id")).then().statusCode(400)
                .body("detail", containsString("tokens_per_minute"));

        // what cannot be kept is named
        as(user).contentType(ContentType.JSON)
                .body(Map.of("name", "bad", "scopes", List.of("generate"), "limits",
                        Map.of("monthlyBudget", Map.of("dollars", 5), "requestsPerMinute", 0)))
                .post("/auth/api-keys").then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/invalid-limits"))
                .body("problems", hasItem(containsString("limits.monthlyBudget.dollars")))
                .body("problems", hasItem(containsString("limits.requestsPerMinute")));
        // only the key's owner (or the tenant's managers) may change it; a user's token may not ask auth's internals
        Response stranger = SignInFlow.signIn(mailbox, newAddress());
        as(stranger).contentType(ContentType.JSON).body(Map.of("limits", Map.of()))
                .patch("/auth/api-keys/" + rotated.path("key.id")).then().statusCode(404);
        as(user).queryParam("tenant", user.path("tenant_id").toString()).get("/auth/internal/api-keys/" + keyId)
                .then().statusCode(403);
        // a key ends with its user's membership: asked by id, as when presented
        Sql.update("delete from auth.memberships where tenant_id = ?", UUID.fromString(user.path("tenant_id").toString()));
        given().auth().oauth2(serviceToken()).queryParam("tenant", user.path("tenant_id").toString())
                .get("/auth/internal/api-keys/" + rotated.path("key.id")).then().statusCode(404);
    }

    @Test
    void aManagingKeyHandsOutNoMoreThanItsOwnControls() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        Response manager = as(owner).contentType(ContentType.JSON)
                .body(Map.of("name", "provisioner", "scopes", List.of("keys:manage", "generate"), "limits",
                        Map.of("monthlyBudget", Map.of("generations", 1000), "requestsPerMinute", 10)))
                .post("/auth/api-keys");
        manager.then().statusCode(201);
        String token = SignInFlow.exchange(manager.path("secret")).then().statusCode(200).extract().path("access_token");

        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "greedy", "scopes", List.of("generate"), "limits",
                        Map.of("monthlyBudget", Map.of("generations", 5000))))
                .post("/auth/api-keys").then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/limits-exceed-key"))
                .body("limits", equalTo(List.of("limits.monthlyBudget.generations")));
        // what it does not say it inherits
        Response child = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "customer", "scopes", List.of("generate"), "limits",
                        Map.of("monthlyBudget", Map.of("generations", 50))))
                .post("/auth/api-keys");
        child.then().statusCode(201)
                .body("key.limits.monthlyBudget.generations", equalTo(50))
                .body("key.limits.requestsPerMinute", equalTo(10));
        // a key it created it may raise within its own controls (their use counts against it); another key of its
        // user, which counts against nothing of it, it may only narrow
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("monthlyBudget", Map.of("generations", 500))))
                .patch("/auth/api-keys/" + child.path("key.id")).then().statusCode(200)
                .body("limits.monthlyBudget.generations", equalTo(500));
        Response personal = as(owner).contentType(ContentType.JSON)
                .body(Map.of("name", "personal", "scopes", List.of("generate"), "limits",
                        Map.of("monthlyBudget", Map.of("generations", 10), "requestsPerMinute", 5)))
                .post("/auth/api-keys");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("monthlyBudget", Map.of("generations", 20), "requestsPerMinute", 5)))
                .patch("/auth/api-keys/" + personal.path("key.id")).then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/limits-exceed-key"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("monthlyBudget", Map.of("generations", 10))))
                .patch("/auth/api-keys/" + personal.path("key.id")).then().statusCode(403);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("monthlyBudget", Map.of("generations", 5), "requestsPerMinute", 5)))
                .patch("/auth/api-keys/" + personal.path("key.id")).then().statusCode(200);
        // nor take a key with more than it has by rotating it (the successor's secret would be its), while it
        // rotates the keys it created
        String unlimited = create(owner, "unlimited", List.of("generate")).path("key.id");
        given().auth().oauth2(token).post("/auth/api-keys/" + unlimited + "/rotate").then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/limits-exceed-key"));
        given().auth().oauth2(token).post("/auth/api-keys/" + child.path("key.id") + "/rotate").then().statusCode(201)
                .body("key.limits.monthlyBudget.generations", equalTo(500));
        // nor can it raise its own
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("limits", Map.of("requestsPerMinute", 1000)))
                .patch("/auth/api-keys/" + manager.path("key.id")).then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/limits-exceed-key"));
    }

    private static String serviceToken() {
        return given().auth().preemptive().basic(CLIENT, CLIENT_SECRET)
                .contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .post("/auth/token").then().statusCode(200).extract().path("access_token");
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
