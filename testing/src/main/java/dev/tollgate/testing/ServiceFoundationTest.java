package dev.tollgate.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.tollgate.devstack.DevStack;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What every Tollgate service answers before it has any feature: health that really checks its servers,
 * Prometheus metrics, its OpenAPI document and Swagger UI. A service's test extends this class and carries
 * {@code @QuarkusTest} and the devstack test resource.
 */
public abstract class ServiceFoundationTest {

    /** The readiness checks every service has, besides its schema check. */
    public static final String POSTGRES_CHECK = "Reactive PostgreSQL connections health check";
    public static final String CREDENTIALS_CHECK = "credential changes read";

    private final String service;

    protected ServiceFoundationTest(String service) {
        this.service = service;
    }

    @Test
    void readinessChecksWhatThePodNeedsToServeAndNotRedisOrKafka() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("PostgreSQL schema " + service, POSTGRES_CHECK, CREDENTIALS_CHECK))
                .body("checks.name", everyItem(not(anyOf(containsString("Redis"), containsString("Kafka")))))
                // the messaging check stays (a failed channel fails liveness) but says nothing of the broker's channels
                .body("checks.find { it.name.startsWith('SmallRye Reactive Messaging') }.data", anyOf(nullValue(),
                        anEmptyMap()));
    }

    @Test
    void aPodStaysReadyWhileRedisIsAway() {
        DevStack stack = DevStack.shared();
        stack.redis().stop();
        try {
            // readiness is asked again and again while Redis is gone: it never takes the pod out of routing
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().when()
                    .get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        } finally {
            stack.redis().restart();
        }
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsArePrometheusTextWithTheOutboxGaugeAndLatencyBuckets() {
        given().when().get("/no-such-path").then().statusCode(404);
        given().accept("text/plain").when().get("/q/metrics")
                .then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(containsString("tollgate_outbox_pending"))
                .body(containsString("jvm_memory_used_bytes"))
                // the HTTP timer has buckets, so dashboards can show percentiles across replicas
                .body(matchesPattern("(?s).*http_server_requests_seconds_bucket\\{[^}]*le=\"0\\.1\".*"));
    }

    @Test
    void openApiDocumentNamesTheService() {
        given().accept("application/json").when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("info.title", equalTo("Tollgate " + service + "-service"))
                .body("openapi", containsString("3."));
    }

    @Test
    void swaggerUiIsServed() {
        given().when().get("/q/swagger-ui/")
                .then().statusCode(200)
                .body(containsString("swagger-ui"));
    }

    private static final String USER = "00000000-0000-0000-0000-000000000001";

    @Test
    void aPathWithMatrixParametersIsServedByNoResource() {
        // JAX-RS would match /<prefix>/internal;x/... as /<prefix>/internal/...: past a gateway's rule for the latter
        String prefix = "/" + (service.equals("generation") ? "generations"
                : service.equals("metering") ? "usage"
                        : service);
        for (String path : new String[] { prefix + "/internal;x/users/" + USER + "/export",
                prefix + ";v=1/internal/users/" + USER + "/export",
                prefix + "/internal%3Bx/users/" + USER + "/export" }) {
            given().urlEncodingEnabled(false).when().get(path)
                    .then().statusCode(404)
                    .contentType(containsString("application/problem+json"))
                    .body("detail", containsString("matrix parameters"));
        }
    }

    @Test
    void unknownPathsAnswerProblemJson() {
        given().when().get("/no-such-path")
                .then().statusCode(404)
                .contentType(containsString("application/problem+json"))
                .body("status", equalTo(404));
    }
}
