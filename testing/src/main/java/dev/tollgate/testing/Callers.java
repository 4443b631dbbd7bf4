package dev.tollgate.testing;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;

/** Requests as a signed-in user sends them: a JSON body and an access token from the JVM's {@link TestIssuer}. */
public final class Callers {

    private Callers() {
    }

    /** A request of {@code user}, acting in {@code tenant} with {@code role}. */
    public static RequestSpecification as(UUID user, UUID tenant, String role) {
        return RestAssured.given().contentType(ContentType.JSON)
                .auth().oauth2(TestIssuer.shared().sign(TestIssuer.claims(user, tenant, role)));
    }
}
