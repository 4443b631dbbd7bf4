package dev.tollgate.generation.apikey;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import dev.tollgate.generation.FakeAuth;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * API keys as bearer credentials when auth-service cannot verify them (here it answers 503 for a key it was not told
 * of), and credentials that only look like keys. The journey tests drive a real key through a real auth-service.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
@QuarkusTestResource(FakeAuth.class)
class ApiKeyCredentialsTest {

    @Inject
    VerifiedKeys keys;

    private static final String CHAT = "{\"model\":\"premium\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void anApiKeyThatCannotBeVerifiedIs503WhileAccessTokensGoOnWorking() {
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2("tg_live_abcdefghijkl_" + "B".repeat(43))
                .body(CHAT).post("/v1/chat/completions")
                .then().statusCode(503)
                .contentType("application/json")
                .header("Retry-After", "5")
                .body("error.code", Matchers.equalTo("auth_unavailable"))
                .body("error.message", containsString("access token"));
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(CHAT).post("/v1/chat/completions")
                .then().statusCode(200).body("model", Matchers.equalTo("offline"));
        RestAssured.get("/q/metrics").then()
                .body(containsString("tollgate_api_keys_lookups_total{answer=\"unavailable\"}"));
    }

    @Test
    void aFloodOfUnknownKeysPushesOutOlderRefusalsButNeverAVerifiedKey() {
        UUID tenant = UUID.randomUUID();
        String valid = FakeAuth.key(UUID.randomUUID(), tenant, Set.of("generate"));
        RequestPatternBuilder validAsked = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"))
                .withRequestBody(containing(valid));
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2(valid).body(CHAT)
                .post("/v1/chat/completions").then().statusCode(200);
        assertEquals(1, FakeAuth.server().countRequestsMatching(validAsked.build()).getCount());

        // 20 times as many unknown keys as keys are kept (%test max-entries and max-refusals: 50), each refused
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            unknown.add("tg_live_flood" + String.format("%07d", i) + "_" + "F".repeat(43));
        }
        for (String key : unknown) {
            // from as many clients, none of which is held back for the keys it presented
            assertNull(keys.verify(key, "client-" + key).await().atMost(Duration.ofSeconds(10)),
                    "auth-service refused " + key);
        }
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2(valid).body(CHAT)
                .post("/v1/chat/completions").then().statusCode(200);
        assertEquals(1, FakeAuth.server().countRequestsMatching(validAsked.build()).getCount(),
                "the verified key was still in memory: auth-service was not asked about it again");
        // the latest refusal is remembered, and the refusals kept stay within max-refusals
        RequestPatternBuilder lastAsked = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"))
                .withRequestBody(containing(unknown.get(999)));
        assertNull(keys.verify(unknown.get(999), "client-" + unknown.get(999)).await().atMost(Duration.ofSeconds(10)));
        assertEquals(1, FakeAuth.server().countRequestsMatching(lastAsked.build()).getCount());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cached("refused") <= 50);
    }

    /** The number of keys kept in the cache {@code api-keys-<which>}, as its metric says. */
    private static double cached(String which) {
        String metrics = RestAssured.get("/q/metrics").asString();
        Matcher line = Pattern.compile("(?m)^cache_size\\{[^}]*cache=\"api-keys-" + which + "\"[^}]*} (\\S+)$")
                .matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : Double.NaN;
    }

    @Test
    void aKeyOfAnotherShapeIsRefusedWithoutAQuestionToAuthService() {
        RequestPatternBuilder verifications = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"));
        int asked = FakeAuth.server().countRequestsMatching(verifications.build()).getCount();
        for (String malformed : List.of("tg_live_", "tg_live_abcdefghijkl", "tg_live_ABCDEFGHIJKL_" + "B".repeat(43),
                "tg_live_abcdefghijkl_" + "B".repeat(42), "tg_live_abcdefghijkl_" + "B".repeat(44),
                "tg_live_abcdefghijkl_" + "B".repeat(42) + "!", "tg_live_abcdefghijkl-" + "B".repeat(43))) {
            RestAssured.given().contentType(ContentType.JSON).auth().oauth2(malformed).body(CHAT)
                    .post("/v1/chat/completions").then().statusCode(401);
        }
        assertEquals(asked, FakeAuth.server().countRequestsMatching(verifications.build()).getCount(),
                "auth-service was asked about none of them");
        RestAssured.given().contentType(ContentType.JSON).auth().oauth2("tg_live_abcdefghijkl_" + "C".repeat(43))
                .body(CHAT).post("/v1/chat/completions").then().statusCode(503);
        assertEquals(asked + 1, FakeAuth.server().countRequestsMatching(verifications.build()).getCount(),
                "a key of the right shape is asked about");
        RestAssured.get("/q/metrics").then()
                .body(containsString("tollgate_api_keys_lookups_total{answer=\"malformed\"}"));
    }

    @Test
    void aClientThatPresentsManyUnknownKeysIsHeldBackWhileItsKeysInUseAndOtherClientsAreNot() {
        String flooder = "203.0.113." + (1 + new SecureRandom().nextInt(250));
        String neighbour = "198.51.100." + (1 + new SecureRandom().nextInt(250));
        String valid = FakeAuth.key(UUID.randomUUID(), UUID.randomUUID(), Set.of("generate"));
        // the test's connection comes from loopback, a trusted proxy: X-Forwarded-For names the client
        chat(valid, flooder).then().statusCode(200);
        for (int i = 0; i < 21; i++) {
            // %test: 20 unknown keys a minute; the 21st is still asked about, and holds the client back
            chat(randomUnknownKey(), flooder).then().statusCode(401);
        }
        RequestPatternBuilder verifications = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"));
        int asked = FakeAuth.server().countRequestsMatching(verifications.build()).getCount();
        chat(randomUnknownKey(), flooder).then().statusCode(429)
                .header("Retry-After", Matchers.notNullValue())
                .body("error.code", Matchers.equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("unknown API keys"));
        assertEquals(asked, FakeAuth.server().countRequestsMatching(verifications.build()).getCount(),
                "the held-back client's key was not asked about");
        chat(valid, flooder).then().statusCode(200);
        chat(randomUnknownKey(), neighbour).then().statusCode(401);
        assertEquals(asked + 1, FakeAuth.server().countRequestsMatching(verifications.build()).getCount(),
                "another client's key is asked about");
        RestAssured.get("/q/metrics").then()
                .body(containsString("tollgate_api_keys_lookups_total{answer=\"held-back\"}"));
    }

    @Test
    void aHundredThousandRandomKeysCostAuthServiceABoundedNumberOfQuestionsAndNoVerifiedKey() {
        String valid = FakeAuth.key(UUID.randomUUID(), UUID.randomUUID(), Set.of("generate"));
        RequestPatternBuilder validAsked = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"))
                .withRequestBody(containing(valid));
        assertNotNull(keys.verify(valid, "192.0.2.1").await().atMost(Duration.ofSeconds(10)));
        RequestPatternBuilder floodAsked = postRequestedFor(urlEqualTo("/auth/internal/api-keys/verify"))
                .withRequestBody(containing("tg_live_flood"));
        int before = FakeAuth.server().countRequestsMatching(floodAsked.build()).getCount();

        // 100,000 random keys of the right shape from ten clients
        String run = Integer.toString(new SecureRandom().nextInt(1_000_000));
        int heldBack = 0;
        for (int i = 0; i < 100_000; i++) {
            String client = "flood-" + run + "-" + (i % 10);
            try {
                assertNull(keys.verify(randomUnknownKey(), client).await().atMost(Duration.ofSeconds(10)));
            } catch (HttpProblem refused) {
                assertEquals(429, refused.getStatusCode());
                heldBack++;
            }
        }
        int asked = FakeAuth.server().countRequestsMatching(floodAsked.build()).getCount() - before;
        System.out.printf("api keys: 100000 random keys from 10 clients: auth-service asked %d times, %d held back%n",
                asked, heldBack);
        assertTrue(asked <= 10 * 21, "at most 21 questions a client (20 a minute, and the one that crossed it): " + asked);
        assertEquals(100_000 - asked, heldBack);
        assertNotNull(keys.verify(valid, "flood-" + run + "-0").await().atMost(Duration.ofSeconds(10)),
                "the verified key is still served, also to a held-back client");
        assertEquals(1, FakeAuth.server().countRequestsMatching(validAsked.build()).getCount(),
                "from memory: auth-service was asked about it once");
    }

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** A key of the issued shape that auth-service never issued (FakeAuth refuses the prefix flood...). */
    private static String randomUnknownKey() {
        SecureRandom random = new SecureRandom();
        StringBuilder key = new StringBuilder("tg_live_flood");
        for (int i = 0; i < 7; i++) {
            key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return key.append('_').append(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)).toString();
    }

    private static io.restassured.response.Response chat(String key, String client) {
        return RestAssured.given().contentType(ContentType.JSON).auth().oauth2(key).header("X-Forwarded-For", client)
                .body(CHAT).post("/v1/chat/completions");
    }
}
