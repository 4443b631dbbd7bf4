package dev.tollgate.auth.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

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
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Service clients: a client's secret being rotated out still works beside the new one, and the tenants a user runs
 * are told to billing-service's client alone, as the memberships say at the moment of asking.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class ServiceClientsTest {

    private static final String SECRET = "test-only-secret-of-the-billing-client-0";
    private static final String PREVIOUS = "test-only-previous-secret-of-the-billing-client";

    @Inject
    MockMailbox mailbox;

    @Test
    void aRotatedOutSecretWorksBesideTheNewOneAndNothingElseDoes() {
        token("billing", SECRET).then().statusCode(200).body("scope", equalTo("internal"));
        token("billing", PREVIOUS).then().statusCode(200).body("scope", equalTo("internal"));
        token("billing", "test-only-secret-of-the-account-client").then().statusCode(401)
                .body("error", equalTo("invalid_client"));
        token("account", PREVIOUS).then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void billingIsToldTheTenantsAUserRunsNowAndNoOtherClientIs() throws Exception {
        Response owner = SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        String user = SignInFlow.verify(owner.path("access_token")).getSubject();
        String tenant = owner.path("tenant_id");
        String billing = token("billing", SECRET).path("access_token");

        given().auth().oauth2(billing).get("/auth/internal/users/" + user + "/tenants-run").then().statusCode(200)
                .body("userId", equalTo(user)).body("tenants", equalTo(List.of(tenant)));

        Sql.update("update auth.memberships set role = 'member' where user_id = ?::uuid", user);
        given().auth().oauth2(billing).get("/auth/internal/users/" + user + "/tenants-run").then().statusCode(200)
                .body("tenants", equalTo(List.of()));
        given().auth().oauth2(billing).get("/auth/internal/users/" + UUID.randomUUID() + "/tenants-run")
                .then().statusCode(200).body("tenants", equalTo(List.of()));

        String account = token("account", "test-only-secret-of-the-account-client").path("access_token");
        given().auth().oauth2(account).get("/auth/internal/users/" + user + "/tenants-run").then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/client-not-allowed"));
        // and billing's token reaches none of account's internal endpoints
        given().auth().oauth2(billing).get("/auth/internal/users/" + user + "/export").then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/client-not-allowed"));
    }

    private static Response token(String client, String secret) {
        return given().auth().preemptive().basic(client, secret).contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials").post("/auth/token");
    }
}
