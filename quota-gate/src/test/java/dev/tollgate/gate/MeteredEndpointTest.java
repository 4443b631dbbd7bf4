package dev.tollgate.gate;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The gate's answers over HTTP, as a metered endpoint gives them. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class MeteredEndpointTest {

    @Test
    void aBurstOverTheLimitGets429WithHeadersWithoutStarvingTheTenantsOtherUsers() {
        UUID tenant = UUID.randomUUID();
        UUID busy = UUID.randomUUID();
        UUID quiet = UUID.randomUUID();
        for (int remaining = 2; remaining >= 0; remaining--) {
            as(busy, tenant).post("/metered").then().statusCode(200)
                    .header("RateLimit-Limit", "3")
                    .header("RateLimit-Remaining", String.valueOf(remaining))
                    .header("RateLimit-Policy", "3;w=1")
                    .header("X-RateLimit-Remaining", String.valueOf(remaining));
        }

        long before = Instant.now().getEpochSecond();
        Response refused = as(busy, tenant).post("/metered");
        refused.then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "1")
                .header("RateLimit-Limit", "3")
                .header("RateLimit-Remaining", "0")
                .header("RateLimit-Reset", "1")
                .header("X-RateLimit-Remaining", "0")
                .body("type", equalTo("https://tollgate.dev/problems/rate-limited"))
                .body("limit", equalTo("user-second"));
        long reset = Long.parseLong(refused.header("X-RateLimit-Reset"));
        assertTrue(reset >= before && reset <= before + 2, "X-RateLimit-Reset is the Unix second to come back at: " + reset);

        as(quiet, tenant).post("/metered").then().statusCode(200).header("RateLimit-Remaining", "2");

        // the window passes and the busy user is admitted again
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> as(busy, tenant).post("/metered").statusCode() == 200);
    }

    @Test
    void aUsedUpQuotaIs402NamingThePlanTheUsageAndTheUpgrade() {
        UUID tenant = UUID.randomUUID();
        as(UUID.randomUUID(), tenant).queryParam("generations", 18).post("/metered").then().statusCode(200);

        as(UUID.randomUUID(), tenant).queryParam("generations", 3).post("/metered").then().statusCode(402)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/quota-exceeded"))
                .body("plan", equalTo("test"))
                .body("metric", equalTo("generations"))
                .body("used", equalTo(18))
                .body("limit", equalTo(20))
                .body("resetsAt", equalTo(BillingPeriod.calendarMonth(Instant.now()).end().toString()))
                .body("upgradeUrl", equalTo("/billing/checkout"))
                .body("detail", containsString("upgrade at /billing/checkout"));

        // what still fits is admitted
        as(UUID.randomUUID(), tenant).queryParam("generations", 2).post("/metered").then().statusCode(200);
        assertEquals(402, as(UUID.randomUUID(), tenant).post("/metered").statusCode());
    }

    private static RequestSpecification as(UUID user, UUID tenant) {
        return Callers.as(user, tenant, "member");
    }
}
