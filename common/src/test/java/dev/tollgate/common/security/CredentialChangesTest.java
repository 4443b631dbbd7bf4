package dev.tollgate.common.security;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.MemberChanged;
import dev.tollgate.common.event.SigningKeyRevoked;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * A token outlives the credential it was signed for by minutes; the service does not: a revoked key's tokens, and a
 * member's tokens from before they left or were demoted, are refused within seconds of the change reaching Kafka.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class CredentialChangesTest {

    private static final String PROBLEMS = "https://tollgate.dev/problems/";

    @Inject
    EventCodec codec;

    @Test
    void aRevokedKeysTokenIsRefusedWithinFiveSeconds() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        String token = TestIssuer.shared().sign(TestIssuer.apiKeyClaims(user, tenant, key, "usage:read"));
        String sibling = TestIssuer.shared().sign(TestIssuer.apiKeyClaims(user, tenant, UUID.randomUUID(), "usage:read"));
        RestAssured.given().auth().oauth2(token).get("/caller").then().statusCode(200)
                .body("kind", equalTo("API_KEY")).body("apiKeyId", equalTo(key.toString()));

        Topics.send("apikey.revoked", tenant.toString(), codec.encode(ApiKeyRevoked.of(tenant, key, "abcdefghijkl")));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(token)
                .get("/caller").then().statusCode(401).body("type", equalTo(PROBLEMS + "api-key-revoked")));
        RestAssured.given().auth().oauth2(sibling).get("/caller").then().statusCode(200);
    }

    @Test
    void tokensOfARevokedSigningKeyAreRefusedWithinFiveSeconds() {
        String before = TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), UUID.randomUUID(), "owner"));
        String kid = CallerFromToken.kid(before);
        RestAssured.given().auth().oauth2(before).get("/caller").then().statusCode(200).body("signingKeyId", equalTo(kid));

        Topics.send("signingkey.revoked", SigningKeyRevoked.PLATFORM.toString(),
                codec.encode(SigningKeyRevoked.of(kid)));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(before)
                .get("/caller").then().statusCode(401).body("type", equalTo(PROBLEMS + "token-key-revoked")));
        TestIssuer.shared().rotate();
        String after = TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), UUID.randomUUID(), "owner"));
        await().atMost(Duration.ofSeconds(75)).untilAsserted(() -> RestAssured.given().auth().oauth2(after)
                .get("/caller").then().statusCode(200));
    }

    @Test
    void aMemberWhoLeftIsRefusedAndADemotedOneLosesTheRole() {
        UUID tenant = UUID.randomUUID();
        UUID leaving = UUID.randomUUID();
        UUID demoted = UUID.randomUUID();
        String leavingToken = TestIssuer.shared().sign(TestIssuer.claims(leaving, tenant, "member"));
        String demotedToken = TestIssuer.shared().sign(TestIssuer.claims(demoted, tenant, "owner"));
        RestAssured.given().auth().oauth2(leavingToken).get("/caller").then().statusCode(200);
        RestAssured.given().auth().oauth2(demotedToken).get("/caller").then().statusCode(200)
                .body("roles", containsInAnyOrder("owner"));

        Topics.send("member.changed", tenant.toString(), codec.encode(MemberChanged.of(tenant, leaving, null)));
        Topics.send("member.changed", tenant.toString(), codec.encode(MemberChanged.of(tenant, demoted, "member")));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(leavingToken)
                .get("/caller").then().statusCode(403).body("type", equalTo(PROBLEMS + "membership-ended")));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(demotedToken)
                .get("/caller").then().statusCode(200).body("roles", containsInAnyOrder("member")));
        // a token signed after the change (past the slack for clocks and commits) is trusted as it is: here it
        // says admin, as after a promotion this replica has not heard of
        JwtClaims later = TestIssuer.claims(demoted, tenant, "admin");
        later.setIssuedAt(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 + 10));
        RestAssured.given().auth().oauth2(TestIssuer.shared().sign(later)).get("/caller").then().statusCode(200)
                .body("roles", containsInAnyOrder("admin"));
    }
}
