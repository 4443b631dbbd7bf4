package dev.tollgate.metering.usage;

import static dev.tollgate.metering.MeteringEvents.as;
import static dev.tollgate.metering.MeteringEvents.generation;
import static dev.tollgate.metering.MeteringEvents.send;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The usage API over HTTP, for members and admins of two tenants. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class UsageApiTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    UUID tenant;
    UUID member;
    UUID admin;
    UUID otherTenant;
    UUID stranger;
    Instant now;

    @BeforeEach
    void usage() {
        tenant = UUID.randomUUID();
        member = UUID.randomUUID();
        admin = UUID.randomUUID();
        otherTenant = UUID.randomUUID();
        stranger = UUID.randomUUID();
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // this month: the member made 3 generations (two with small, one with large), the admin 2; the other tenant 50
        send(codec, generation(tenant, member, now.minusSeconds(5), "small", 100),
                generation(tenant, member, now.minusSeconds(4), "small", 100),
                generation(tenant, member, now.minusSeconds(3), "large", 300),
                generation(tenant, admin, now.minusSeconds(2), "small", 50),
                generation(tenant, admin, now.minusSeconds(1), "small", 50));
        for (int i = 0; i < 50; i++) {
            send(codec, generation(otherTenant, stranger, now.minusSeconds(1), "large", 1000));
        }
        await().atMost(PATIENCE).untilAsserted(() -> as(admin, tenant, "admin").get("/usage").then()
                .body("metrics.find { it.metric == 'generations' }.used", equalTo(5)));
        await().atMost(PATIENCE).untilAsserted(() -> as(stranger, otherTenant, "owner").get("/usage").then()
                .body("metrics.find { it.metric == 'generations' }.used", equalTo(50)));
    }

    @Test
    void aMemberSeesTheTenantAgainstItsQuotaAndTheirOwnUnits() {
        as(member, tenant, "member").get("/usage").then().statusCode(200)
                .body("tenantId", equalTo(tenant.toString()))
                .body("plan", equalTo("free"))
                .body("metrics.find { it.metric == 'generations' }.used", equalTo(5))
                .body("metrics.find { it.metric == 'generations' }.limit", equalTo(100))
                .body("metrics.find { it.metric == 'generations' }.remaining", equalTo(95))
                .body("metrics.find { it.metric == 'generations' }.percent", equalTo(5.0f))
                .body("metrics.find { it.metric == 'output_tokens' }.used", equalTo(600))
                .body("metrics.find { it.metric == 'input_tokens' }.used", equalTo(0))
                .body("user", equalTo(member.toString()))
                .body("userUnits.generations", equalTo(3))
                .body("userUnits.output_tokens", equalTo(500));
    }

    @Test
    void onlyOwnersAndAdminsSeeAnotherUsersUsage() {
        as(member, tenant, "member").queryParam("userId", admin.toString()).get("/usage").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/forbidden"));
        as(admin, tenant, "admin").queryParam("userId", member.toString()).get("/usage").then().statusCode(200)
                .body("user", equalTo(member.toString()))
                .body("userUnits.generations", equalTo(3));
    }

    @Test
    void historyGroupsByDayModelAndUserAndAMemberSeesOnlyTheirOwn() {
        String today = LocalDate.ofInstant(now.minusSeconds(5), ZoneOffset.UTC).toString();
        String from = now.minus(1, ChronoUnit.DAYS).toString();
        String to = now.plusSeconds(1).toString();

        as(admin, tenant, "admin").queryParam("from", from).queryParam("to", to).queryParam("groupBy", "model")
                .get("/usage/history").then().statusCode(200)
                .body("groupBy", equalTo("model"))
                .body("user", nullValue())
                .body("buckets", hasSize(2))
                .body("buckets.find { it.key == 'small' }.units.generations", equalTo(4))
                .body("buckets.find { it.key == 'large' }.units.output_tokens", equalTo(300));
        as(admin, tenant, "owner").queryParam("from", from).queryParam("to", to).queryParam("groupBy", "user")
                .get("/usage/history").then().statusCode(200)
                .body("buckets", hasSize(2))
                .body("buckets.find { it.key == '" + member + "' }.units.generations", equalTo(3))
                .body("buckets.find { it.key == '" + admin + "' }.units.generations", equalTo(2));

        as(member, tenant, "member").queryParam("from", from).queryParam("to", to).queryParam("groupBy", "user")
                .get("/usage/history").then().statusCode(200)
                .body("user", equalTo(member.toString()))
                .body("buckets", hasSize(1))
                .body("buckets[0].key", equalTo(member.toString()));
        as(member, tenant, "member").queryParam("from", from).queryParam("to", to)
                .get("/usage/history").then().statusCode(200)
                .body("groupBy", equalTo("day"))
                .body("buckets.find { it.key == '" + today + "' }.units.generations", equalTo(3));
    }

    @Test
    void historyGroupsByApiKeyAndByEndUserAndEachAddsUpToTheTenantsTotal() {
        UUID appKey = UUID.randomUUID();
        UUID otherKey = UUID.randomUUID();
        Instant at = now.minusSeconds(2);
        // usage.recorded version 2: two calls with the app's key for two of its customers, one with another key
        send(codec, keyed(at, appKey, "customer-a", 40), keyed(at, appKey, "customer-b", 60),
                keyed(at, otherKey, "customer-a", 7));
        String from = now.minus(1, ChronoUnit.DAYS).toString();
        String to = now.plusSeconds(1).toString();
        // before: 5 generations and 600 output tokens without a key (the setup's), now 3 more with keys
        Awaitility.await().atMost(PATIENCE).until(() -> as(admin, tenant, "admin").get("/usage").then().extract()
                .path("metrics.find { it.metric == 'generations' }.used").equals(8));

        as(admin, tenant, "admin").queryParam("from", from).queryParam("to", to).queryParam("groupBy", "key")
                .get("/usage/history").then().statusCode(200)
                .body("groupBy", equalTo("key"))
                .body("buckets", hasSize(3))
                .body("buckets.find { it.key == '" + appKey + "' }.units.output_tokens", equalTo(100))
                .body("buckets.find { it.key == '" + otherKey + "' }.units.output_tokens", equalTo(7))
                .body("buckets.find { it.key == null }.units.output_tokens", equalTo(600))
                .body("buckets.collect { it.units.generations }.sum()", equalTo(8));
        as(admin, tenant, "admin").queryParam("from", from).queryParam("to", to).queryParam("groupBy", "end_user")
                .get("/usage/history").then().statusCode(200)
                .body("groupBy", equalTo("end_user"))
                .body("buckets.find { it.key == 'customer-a' }.units.output_tokens", equalTo(47))
                .body("buckets.find { it.key == 'customer-b' }.units.output_tokens", equalTo(60))
                .body("buckets.collect { it.units.output_tokens }.sum()", equalTo(707));
    }

    private UsageRecorded keyed(Instant at, UUID key, String endUser, long outputTokens) {
        return new UsageRecorded(UUID.randomUUID(), at, tenant, UsageRecorded.SCHEMA_VERSION, member, "generation",
                "small", "g-" + UUID.randomUUID(), Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS,
                        outputTokens),
                key, endUser);
    }

    @Test
    void anotherTenantsUsageIsNeverVisible() {
        // the stranger's tenant used 50 generations; this tenant's admin sees 5, and nothing of the stranger's
        as(admin, tenant, "admin").get("/usage").then().statusCode(200)
                .body("metrics.find { it.metric == 'generations' }.used", equalTo(5));
        as(admin, tenant, "admin").queryParam("userId", stranger.toString()).get("/usage").then().statusCode(200)
                .body("userUnits.size()", equalTo(0));
        as(admin, tenant, "admin").queryParam("groupBy", "user").queryParam("userId", stranger.toString())
                .queryParam("from", now.minus(1, ChronoUnit.DAYS).toString())
                .get("/usage/history").then().statusCode(200)
                .body("buckets", hasSize(0));
        as(stranger, otherTenant, "owner").queryParam("groupBy", "model")
                .queryParam("from", now.minus(1, ChronoUnit.DAYS).toString())
                .get("/usage/history").then().statusCode(200)
                .body("buckets", hasSize(1))
                .body("buckets[0].key", equalTo("large"))
                .body("buckets[0].units.generations", equalTo(50));
    }

    @Test
    void badParametersAreNamedAndNoTokenIsRefused() {
        as(member, tenant, "member").queryParam("groupBy", "week").get("/usage/history").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/invalid-parameter"))
                .body("detail", containsString("groupBy must be one of day, model, user"));
        as(member, tenant, "member").queryParam("from", "yesterday").get("/usage/history").then().statusCode(400)
                .body("detail", containsString("from must be an ISO date"));
        as(member, tenant, "member").queryParam("from", "2026-11-02").queryParam("to", "2026-11-01")
                .get("/usage/history").then().statusCode(400)
                .body("detail", containsString("must be after"));
        as(member, tenant, "member").queryParam("userId", "42").get("/usage").then().statusCode(400)
                .body("detail", containsString("userId must be a UUID"));
        RestAssured.get("/usage").then().statusCode(401).contentType("application/problem+json");
    }
}
