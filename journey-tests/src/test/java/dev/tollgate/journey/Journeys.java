package dev.tollgate.journey;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** What every journey does: sign in as a person does, and wait for what happens asynchronously. */
final class Journeys {

    private Journeys() {
    }

    /** Signs in by the mailed link (auth-service's log in the local profile); answers the access token. */
    static String signIn(Suite suite, String email) {
        return session(suite, email).getString("access_token");
    }

    /** Signs in as {@link #signIn} does; answers the token pair, the refresh token in the body. */
    static JsonPath session(Suite suite, String email) {
        given().baseUri(suite.url("auth")).contentType(ContentType.JSON).body("{\"email\":\"" + email + "\"}")
                .post("/auth/magic-link").then().statusCode(202);
        String token = eventually(Duration.ofSeconds(15), () -> suite.lastSignInToken(email));
        assertNotNull(token, "the sign-in mail reached auth-service's log");
        return given().baseUri(suite.url("auth")).contentType(ContentType.JSON)
                .body("{\"token\":\"" + token + "\",\"refresh_token_in_body\":true}")
                .post("/auth/magic-link/confirm").then().statusCode(200).extract().jsonPath();
    }

    /** Waits until {@code check} answers something; answers it, or null when {@code within} ran out. */
    static <T> T eventually(Duration within, Supplier<T> check) {
        AtomicReference<T> seen = new AtomicReference<>();
        try {
            Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        seen.set(check.get());
                        return seen.get() != null;
                    });
        } catch (ConditionTimeoutException e) {
            return null;
        }
        return seen.get();
    }
}
