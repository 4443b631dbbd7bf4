package dev.tollgate.account.profile;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.account.FakeAuth;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.Concurrently;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GET/PATCH /account/me: a user's own profile and preferences, checked before they are kept. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class ProfileTest {

    @Test
    void aUserReadsAndChangesTheirOwnProfileOnly() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        Callers.as(user, tenant, "member").get("/account/me").then().statusCode(200)
                .body("displayName", nullValue()).body("marketingConsent", equalTo(false))
                .body("marketingConsentAt", nullValue());

        Callers.as(user, tenant, "member")
                .body("{\"displayName\":\"  Ada Lovelace \",\"locale\":\"de-ch\",\"timeZone\":\"Europe/Zurich\","
                        + "\"marketingConsent\":true}")
                .patch("/account/me").then().statusCode(200)
                .body("displayName", equalTo("Ada Lovelace")).body("locale", equalTo("de-CH"))
                .body("timeZone", equalTo("Europe/Zurich")).body("marketingConsent", equalTo(true))
                .body("marketingConsentAt", notNullValue());
        // a partial change keeps the rest, and consent withdrawn is dated again
        String consentGiven = Callers.as(user, tenant, "member").get("/account/me").path("marketingConsentAt");
        Callers.as(user, tenant, "member").body("{\"marketingConsent\":false}").patch("/account/me").then()
                .statusCode(200).body("displayName", equalTo("Ada Lovelace")).body("marketingConsent", equalTo(false))
                .body("marketingConsentAt", org.hamcrest.Matchers.not(equalTo(consentGiven)));

        // another user has their own, empty profile
        Callers.as(UUID.randomUUID(), tenant, "owner").get("/account/me").then().statusCode(200)
                .body("displayName", nullValue());
        RestAssured.get("/account/me").then().statusCode(401);
    }

    @Test
    void concurrentFirstReadsOfOneUserAllAnswerTheSameEmptyProfile() throws Exception {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        List<Integer> answers = Concurrently.all(16,
                () -> Callers.as(user, tenant, "member").get("/account/me").statusCode());
        assertEquals(List.of(200), answers.stream().distinct().toList(), "every first read answered: " + answers);
        Callers.as(user, tenant, "member").body("{\"displayName\":\"Grace\"}").patch("/account/me").then()
                .statusCode(200).body("displayName", equalTo("Grace")).body("notifyUsage", equalTo(true));
    }

    @Test
    void invalidPreferencesAreRefusedNamingTheField() {
        UUID user = UUID.randomUUID();
        problem(user, "{\"locale\":\"not a locale!\"}", "locale-invalid");
        problem(user, "{\"timeZone\":\"Mars/Olympus\"}", "time-zone-invalid");
        problem(user, "{\"displayName\":\"" + "x".repeat(101) + "\"}", "display-name-invalid");
        Callers.as(user, UUID.randomUUID(), "member").get("/account/me").then().body("locale", nullValue());
    }

    private static void problem(UUID user, String body, String slug) {
        Callers.as(user, UUID.randomUUID(), "member").body(body).patch("/account/me").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/" + slug));
    }
}
