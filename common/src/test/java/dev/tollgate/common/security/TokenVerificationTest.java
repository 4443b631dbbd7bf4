package dev.tollgate.common.security;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * A service trusts the tokens of its issuer, through smallrye-jwt against the issuer's JWKS, and refuses every
 * forgery and misfit with a 401 problem.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class TokenVerificationTest {

    private final TestIssuer issuer = TestIssuer.shared();
    private final UUID user = UUID.randomUUID();
    private final UUID tenant = UUID.randomUUID();

    @Test
    void anHonestTokenGivesTheCallerAndTheirTenant() {
        given().auth().oauth2(issuer.sign(TestIssuer.claims(user, tenant, "admin")))
                .get("/caller")
                .then().statusCode(200)
                .body("userId", equalTo(user.toString()))
                .body("tenantId", equalTo(tenant.toString()))
                .body("roles", containsInAnyOrder("admin"))
                .body("kind", equalTo("SESSION"));
    }

    @Test
    void noTokenIsUnauthorizedWithABearerChallenge() {
        given().get("/caller").then().statusCode(401)
                .contentType(containsString("application/problem+json"))
                .header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("https://tollgate.dev/problems/unauthorized"));
    }

    @Test
    void anUnsignedTokenIsRefused() {
        refused(TestIssuer.unsigned(TestIssuer.claims(user, tenant, "owner")));
    }

    @Test
    void hmacKeyedWithThePublicKeyIsRefused() {
        refused(issuer.signedWithPublicKeyAsHmacSecret(TestIssuer.claims(user, tenant, "owner")));
    }

    @Test
    void aKeyThatIsNotPublishedIsRefused() {
        refused(issuer.signWithUnpublishedKey(TestIssuer.claims(user, tenant, "owner")));
    }

    @Test
    void anotherIssuerOrAudienceIsRefused() {
        JwtClaims wrongIssuer = TestIssuer.claims(user, tenant, "owner");
        wrongIssuer.setIssuer("https://somebody-else.example");
        refused(issuer.sign(wrongIssuer));

        JwtClaims wrongAudience = TestIssuer.claims(user, tenant, "owner");
        wrongAudience.setAudience("another-product");
        refused(issuer.sign(wrongAudience));
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() {
        JwtClaims expired = TestIssuer.claims(user, tenant, "owner");
        expired.setIssuedAt(TestIssuer.minutesFromNow(-20));
        expired.setExpirationTime(TestIssuer.minutesFromNow(-10));
        refused(issuer.sign(expired));

        JwtClaims early = TestIssuer.claims(user, tenant, "owner");
        early.setNotBefore(TestIssuer.minutesFromNow(10));
        refused(issuer.sign(early));
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String honest = issuer.sign(TestIssuer.claims(user, tenant, "member"));
        String[] parts = honest.split("\\.");
        JwtClaims promoted = TestIssuer.claims(user, tenant, "owner");
        String payload = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(promoted.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        refused(parts[0] + "." + payload + "." + parts[2]);
    }

    @Test
    void aTokenWithoutATenantIsRefused() {
        JwtClaims noTenant = TestIssuer.claims(user, tenant, "owner");
        noTenant.unsetClaim("tid");
        given().auth().oauth2(issuer.sign(noTenant)).get("/caller")
                .then().statusCode(401)
                .contentType(containsString("application/problem+json"))
                .body("detail", containsString("tid"));
    }

    @Test
    void aNewKeyIsFetchedWhenATokenNamesIt() {
        given().auth().oauth2(issuer.sign(TestIssuer.claims(user, tenant, "member"))).get("/caller")
                .then().statusCode(200);
        issuer.rotate();
        String signedWithNewKey = issuer.sign(TestIssuer.claims(user, tenant, "member"));
        // an unknown kid makes the verifier fetch the JWKS again (at most once a minute)
        await().atMost(Duration.ofSeconds(75)).untilAsserted(() -> given().auth().oauth2(signedWithNewKey)
                .get("/caller").then().statusCode(200));
    }

    private static void refused(String token) {
        given().auth().oauth2(token).get("/caller").then().statusCode(401)
                .contentType(containsString("application/problem+json"))
                .header("WWW-Authenticate", containsString("invalid_token"))
                .body("type", equalTo("https://tollgate.dev/problems/invalid-token"));
    }
}
