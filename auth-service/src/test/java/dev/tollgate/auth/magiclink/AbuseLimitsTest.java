package dev.tollgate.auth.magiclink;

import static dev.tollgate.auth.SignInFlow.newAddress;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.testing.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Guessing sign-in tokens and flooding addresses with links are cut off per client address, also while Redis is away.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@TestProfile(AbuseLimitsTest.TightLimits.class)
class AbuseLimitsTest {

    public static class TightLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tollgate.auth.magic-link.per-ip-limit", "3");
        }
    }

    @Test
    void guessingConfirmationTokensIsCutOffPerClient() {
        String attacker = "203.0.113.7";
        for (int guess = 0; guess < 3; guess++) {
            confirmFrom(attacker, "G".repeat(42) + guess).then().statusCode(400);
        }
        confirmFrom(attacker, "G".repeat(43)).then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("type", equalTo("https://tollgate.dev/problems/rate-limited"));
        // a client elsewhere is not held back
        confirmFrom("198.51.100.20", "H".repeat(43)).then().statusCode(400);
    }

    @Test
    void oneClientCannotFloodManyAddresses() {
        String flooder = "203.0.113.99";
        for (int i = 0; i < 3; i++) {
            requestFrom(flooder, newAddress()).then().statusCode(202);
        }
        requestFrom(flooder, newAddress()).then().statusCode(429).header("Retry-After", notNullValue());
        requestFrom("198.51.100.21", newAddress()).then().statusCode(202);
    }

    @Test
    void aForgedForwardedForDoesNotLiftTheLimit() {
        // what a client writes into X-Forwarded-For stays left of the address its gateway appends
        String client = "203.0.113.150";
        for (int i = 0; i < 3; i++) {
            requestFrom("198.51.100." + i + ", " + client, newAddress()).then().statusCode(202);
        }
        requestFrom("198.51.100.77, " + client, newAddress()).then().statusCode(429);
        requestFrom("10.1.2.3, " + client + ", 10.0.0.9", newAddress()).then().statusCode(429);
    }

    @Test
    void theLimitHoldsWhileRedisIsAway() {
        DevStack stack = DevStack.shared();
        stack.redis().stop();
        try {
            // counted in this replica's memory meanwhile: sign-ins go on, a flood does not
            String flooder = "203.0.113.201";
            for (int i = 0; i < 3; i++) {
                requestFrom(flooder, newAddress()).then().statusCode(202);
            }
            requestFrom(flooder, newAddress()).then().statusCode(429).header("Retry-After", notNullValue());
            requestFrom("198.51.100.201", newAddress()).then().statusCode(202);
        } finally {
            stack.redis().restart();
        }
    }

    private static Response confirmFrom(String ip, String token) {
        return given().header("X-Forwarded-For", ip).contentType(ContentType.JSON).body(Map.of("token", token))
                .post("/auth/magic-link/confirm");
    }

    private static Response requestFrom(String ip, String email) {
        return given().header("X-Forwarded-For", ip).contentType(ContentType.JSON).body(Map.of("email", email))
                .post("/auth/magic-link");
    }
}
