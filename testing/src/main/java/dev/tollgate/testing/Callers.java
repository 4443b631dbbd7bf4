package dev.tollgate.testing;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Set;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;

/** Requests as a signed-in user sends them: a JSON body and an access token from the JVM's {@link TestIssuer}. */
public final class Callers {

    private Callers() {
    }

    /** A request of {@code user}, acting in {@code tenant} with {@code role}. */
    public static RequestSpecification as(UUID user, UUID tenant, String role) {
        return RestAssured.given().contentType(ContentType.JSON)
                .auth().oauth2(TestIssuer.shared().sign(TestIssuer.claims(user, tenant, role)));
    }

    /** A request with a token exchanged from an API key of {@code user} in {@code tenant} with {@code scopes}. */
    public static RequestSpecification asApiKey(UUID user, UUID tenant, String... scopes) {
        return RestAssured.given().contentType(ContentType.JSON).auth().oauth2(TestIssuer.shared()
                .sign(TestIssuer.apiKeyClaims(user, tenant, UUID.randomUUID(), scopes)));
    }

    /** A request of another service: a client-credentials token (role {@code service}, no tenant). */
    public static RequestSpecification asService(String client) {
        return RestAssured.given().auth().oauth2(TestIssuer.shared().sign(serviceClaims(client, Set.of("internal"))));
    }

    /** The claims of a service client's token: {@code sub = service:<client>}, role {@code service}, its scopes. */
    public static JwtClaims serviceClaims(String client, Set<String> scopes) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(TestIssuer.ISSUER);
        claims.setAudience(TestIssuer.AUDIENCE);
        claims.setSubject("service:" + client);
        claims.setStringListClaim("roles", "service");
        claims.setClaim("scope", String.join(" ", scopes));
        claims.setGeneratedJwtId();
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        return claims;
    }
}
