package dev.tollgate.auth.security;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a leaked API key can and cannot do, with real keys and the tokens exchanged for them: a read-only key is no
 * way into the tenant's identity, and a key that manages keys gives no more than it has.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class ApiKeyReachTest {

    private static final String PROBLEMS = "https://tollgate.dev/problems/";

    @Inject
    MockMailbox mailbox;

    @Test
    void aReadOnlyKeyCannotTakeOverItsTenant() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        String tenant = owner.path("tenant_id").toString();
        String leaked = exchanged(create(owner, List.of("usage:read"), null));

        bearer(leaked).contentType(ContentType.JSON).body(Map.of("name", "mine", "scopes", List.of("generate")))
                .post("/auth/api-keys")
                .then().statusCode(403).body("type", equalTo(PROBLEMS + "missing-scope"))
                .body("scope", equalTo("keys:manage"));
        bearer(leaked).contentType(ContentType.JSON)
                .body(Map.of("email", newAddress(), "role", "owner"))
                .post("/auth/tenants/" + tenant + "/invitations")
                .then().statusCode(403).body("type", equalTo(PROBLEMS + "credential-not-accepted"))
                .body("detail", containsString("API key"));
        for (String path : List.of("/auth/sessions", "/auth/tenants", "/auth/tenants/" + tenant + "/members")) {
            bearer(leaked).get(path)
                    .then().statusCode(403).body("type", equalTo(PROBLEMS + "credential-not-accepted"));
        }
        // and nothing was made: the owner still has only the key they created
        bearer(owner.path("access_token")).get("/auth/api-keys").then().statusCode(200)
                .body("size()", equalTo(1));
    }

    @Test
    void aKeyThatManagesKeysGivesNoMoreScopeOrLifeThanItHas() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        Instant ownEnd = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String manager = exchanged(create(owner, List.of("keys:manage", "generate"), ownEnd));

        Response issued = bearer(manager).contentType(ContentType.JSON)
                .body(Map.of("name", "customer-1", "scopes", List.of("generate"))).post("/auth/api-keys");
        issued.then().statusCode(201).body("key.scopes", equalTo(List.of("generate")))
                .body("key.expiresAt", equalTo(ownEnd.toString()));
        bearer(manager).contentType(ContentType.JSON)
                .body(Map.of("name", "wider", "scopes", List.of("generate", "billing:read"))).post("/auth/api-keys")
                .then().statusCode(403).body("type", equalTo(PROBLEMS + "scope-exceeds-key"))
                .body("detail", containsString("billing:read"));
        bearer(manager).contentType(ContentType.JSON)
                .body(Map.of("name", "longer", "scopes", List.of("generate"), "expiresAt",
                        ownEnd.plus(1, ChronoUnit.DAYS).toString()))
                .post("/auth/api-keys")
                .then().statusCode(403).body("type", equalTo(PROBLEMS + "key-outlives-creator"));

        String ownersBillingKey = create(owner, List.of("billing:read"), null).path("key.id");
        bearer(manager).delete("/auth/api-keys/" + ownersBillingKey)
                .then().statusCode(403).body("type", equalTo(PROBLEMS + "scope-exceeds-key"));
        bearer(manager).post("/auth/api-keys/" + issued.path("key.id") + "/rotate").then().statusCode(201);
        bearer(manager).delete("/auth/api-keys/" + issued.path("key.id")).then().statusCode(204);

        // no key it makes may manage keys in turn
        bearer(manager).contentType(ContentType.JSON)
                .body(Map.of("name", "sub-manager", "scopes", List.of("keys:manage"))).post("/auth/api-keys")
                .then().statusCode(403).body("type", equalTo(PROBLEMS + "scope-exceeds-key"));
        // it sees only the keys within its scopes
        bearer(manager).get("/auth/api-keys").then().statusCode(200)
                .body("id", not(hasItem(ownersBillingKey)));
        // a key it rotates ends no later than itself, however long the original lived
        String forever = create(owner, List.of("generate"), null).path("key.id");
        bearer(manager).post("/auth/api-keys/" + forever + "/rotate").then().statusCode(201)
                .body("key.expiresAt", equalTo(ownEnd.toString()));
    }

    @Test
    void revokingAManagingKeyRevokesTheKeysItIssued() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        Response managerKey = create(owner, List.of("keys:manage", "generate"), null);
        String manager = exchanged(managerKey);
        String child = bearer(manager).contentType(ContentType.JSON)
                .body(Map.of("name", "customer-2", "scopes", List.of("generate"))).post("/auth/api-keys")
                .then().statusCode(201).extract().path("secret");
        SignInFlow.exchange(child).then().statusCode(200);

        bearer(owner.path("access_token")).delete("/auth/api-keys/" + managerKey.path("key.id")).then().statusCode(204);

        SignInFlow.exchange(child).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void aRotatedManagingKeyKeepsItsIssuedKeysOnItsSuccessor() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        Response managerKey = create(owner, List.of("keys:manage", "generate"), null);
        String manager = exchanged(managerKey);
        String child = bearer(manager).contentType(ContentType.JSON)
                .body(Map.of("name", "customer-3", "scopes", List.of("generate"))).post("/auth/api-keys")
                .then().statusCode(201).extract().path("secret");

        // the managing key rotates itself, as a program holding it would
        String successor = bearer(manager).post("/auth/api-keys/" + managerKey.path("key.id") + "/rotate")
                .then().statusCode(201).extract().path("key.id");

        bearer(owner.path("access_token")).delete("/auth/api-keys/" + successor).then().statusCode(204);
        SignInFlow.exchange(child).then().statusCode(400).body("error", equalTo("invalid_grant"));
    }

    @Test
    void unknownScopesAreRefusedAndAKeyWithNoKnownScopeIsNotExchanged() {
        Response owner = SignInFlow.signIn(mailbox, newAddress());
        bearer(owner.path("access_token")).contentType(ContentType.JSON)
                .body(Map.of("name", "root", "scopes", List.of("admin"))).post("/auth/api-keys")
                .then().statusCode(400).body("type", equalTo(PROBLEMS + "unknown-scope"))
                .body("detail", containsString("admin"));

        Response key = create(owner, List.of("generate"), null);
        // a key stored before a scope left the catalogue
        Sql.update("update auth.api_keys set scopes = 'legacy:all' where id = ?::uuid", key.path("key.id").toString());
        SignInFlow.exchange(key.path("secret")).then().statusCode(400)
                .body("type", equalTo(PROBLEMS + "api-key-no-scope"))
                .body("error", equalTo("invalid_grant"));
    }

    private static Response create(Response user, List<String> scopes, Instant expiresAt) {
        Map<String, Object> body = expiresAt == null ? Map.of("name", "key", "scopes", scopes)
                : Map.of("name", "key", "scopes", scopes, "expiresAt", expiresAt.toString());
        Response created = bearer(user.path("access_token")).contentType(ContentType.JSON).body(body)
                .post("/auth/api-keys");
        created.then().statusCode(201);
        return created;
    }

    private static String exchanged(Response created) {
        Response exchanged = SignInFlow.exchange(created.path("secret"));
        exchanged.then().statusCode(200);
        return exchanged.path("access_token");
    }

    private static RequestSpecification bearer(String token) {
        return given().auth().oauth2(token);
    }
}
