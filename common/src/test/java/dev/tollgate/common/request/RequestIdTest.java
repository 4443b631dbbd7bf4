package dev.tollgate.common.request;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every answer carries an {@code X-Request-Id}, the caller's when it is a plain token, and a problem answer names it;
 * the log lines written while serving the request carry it too.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class RequestIdTest {

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record instanceof ExtLogRecord line && line.getMdc(RequestIds.KEY) != null) {
                logged.add(line.getMdc(RequestIds.KEY) + " " + line.getLoggerName() + " " + line.getFormattedMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void theCallersIdIsKeptAndReturnedAndItsLogLinesCarryIt() {
        String id = "support-" + UUID.randomUUID();
        given().header(RequestIds.HEADER, id).get("/request-probe").then().statusCode(200)
                .header(RequestIds.HEADER, id)
                .body("requestId", org.hamcrest.Matchers.equalTo(id));
        assertTrue(logged.stream().anyMatch(line -> line.startsWith(id + " ") && line.endsWith("request probe answered")),
                "the request's log line carries its id: " + logged);
    }

    @Test
    void aProblemAnswerNamesTheIdThatItsLogLineCarries() {
        Response answer = given().get("/request-probe/fail");
        answer.then().statusCode(503).contentType("application/problem+json");
        String id = answer.header(RequestIds.HEADER);
        UUID.fromString(id); // none was given: a new one
        assertEquals(id, answer.jsonPath().getString("requestId"));
        assertTrue(logged.stream().anyMatch(line -> line.startsWith(id + " ") && line.contains("probe-unavailable")),
                "the problem's log line carries its id: " + logged);
    }

    @Test
    void anIdThatIsNotAPlainTokenIsReplaced() {
        String given = "two words";
        String id = given().header(RequestIds.HEADER, "x".repeat(129)).get("/request-probe").then().statusCode(200)
                .extract().header(RequestIds.HEADER);
        assertNotEquals("x".repeat(129), id);
        UUID.fromString(id);
        String other = given().header(RequestIds.HEADER, given).get("/request-probe").then().statusCode(200)
                .extract().header(RequestIds.HEADER);
        UUID.fromString(other);
    }
}
