package dev.tollgate.common.request;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A body that cannot be read is refused as problem+json naming what was wrong, however it is wrong: not JSON, JSON
 * of the wrong type where an object belongs, a field of the wrong type, or larger than the service takes (413).
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class BadBodyTest {

    @Test
    void aReadableBodyIsEchoed() {
        given().contentType("application/json").body("{\"name\":\"a\",\"count\":2,\"nested\":{\"on\":true}}")
                .when().post("/request-probe/echo")
                .then().statusCode(200).body("count", equalTo(2));
    }

    @Test
    void aBodyOfTheWrongTypeOrNotJsonIsAProblemNamingWhereItWentWrong() {
        String[][] cases = { { "\"a string where an object belongs\"", "the body" }, { "[1, 2]", "the body" },
                { "{\"count\": \"many\"}", "count" }, { "{\"nested\": 5}", "nested" },
                { "{\"nested\": {\"on\": \"maybe\"}}", "nested.on" }, { "{\"name\": ", "not JSON" },
                { "not json at all", "not JSON" } };
        for (String[] bad : cases) {
            given().contentType("application/json").body(bad[0])
                    .when().post("/request-probe/echo")
                    .then().log().ifValidationFails().statusCode(400)
                    .contentType(containsString("application/problem+json"))
                    .body("type", equalTo("https://tollgate.dev/problems/invalid-body"))
                    .body("status", equalTo(400))
                    .body("detail", containsString(bad[1]));
        }
    }

    @Test
    void aBodyLargerThanTheServiceTakesIs413AsAProblem() {
        given().contentType("application/json").body("{\"name\":\"" + "x".repeat(70 * 1024) + "\"}")
                .when().post("/request-probe/echo")
                .then().statusCode(413)
                .contentType(containsString("application/problem+json"))
                .body("type", equalTo("https://tollgate.dev/problems/body-too-large"))
                .body("detail", containsString("64 KiB"));
    }
}
