package dev.tollgate.journey;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A developer signs in, creates an API key, and their application uses it with OpenAI's SDK pointed at the local
 * gateway ({@code http://localhost:8080/v1} in the local run), as the README shows: the key is verified at
 * auth-service once, its usage reaches metering, and revoking it stops it everywhere.
 */
class ApiKeyJourneyTest {

    private static Suite suite;

    @BeforeAll
    static void start() {
        suite = Suite.start();
    }

    @Test
    void anApiKeyWorksWithOpenAisSdkUntilItIsRevoked() {
        String email = "dev+" + UUID.randomUUID() + "@example.com";
        String access = Journeys.signIn(suite, email);

        JsonPath issued = given().baseUri(suite.url("auth")).contentType(ContentType.JSON).auth().oauth2(access)
                .body("{\"name\":\"my app\",\"scopes\":[\"generate\"]}")
                .post("/auth/api-keys").then().statusCode(201).extract().jsonPath();
        String key = issued.getString("secret");
        String keyId = issued.getString("key.id");
        assertTrue(key.startsWith("tg_live_"));

        OpenAIClient app = OpenAIOkHttpClient.builder().baseUrl(suite.gatewayUrl() + "/v1").apiKey(key)
                .maxRetries(0).build();
        ChatCompletion answer = app.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("small").addUserMessage("Plan a three-day hiking trip").maxCompletionTokens(80).build());
        assertEquals("offline", answer.model(), "no provider key here: the offline model answers");
        assertTrue(answer.choices().get(0).message().content().orElseThrow().contains("hiking"));

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = app.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("small").addUserMessage("Plan a three-day hiking trip")
                        .maxCompletionTokens(80).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(answer.choices().get(0).message().content().orElseThrow(), streamed.toString());

        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl(suite.gatewayUrl() + "/v1")
                .apiKey("tg_live_aaaaaaaaaaaa_" + "A".repeat(43)).maxRetries(0).build();
        assertThrows(UnauthorizedException.class, () -> stranger.models().list());

        // the two answers reach metering through usage.recorded, under the key's user and tenant
        long generations = Journeys.eventually(Duration.ofSeconds(30), () -> {
            JsonPath usage = given().baseUri(suite.url("metering")).auth().oauth2(access).get("/usage")
                    .then().statusCode(200).extract().jsonPath();
            Long used = usage.getLong("metrics.find { it.metric == 'generations' }.used");
            return used != null && used == 2 ? used : null;
        });
        assertEquals(2, generations);

        given().baseUri(suite.url("auth")).auth().oauth2(access).delete("/auth/api-keys/" + keyId)
                .then().statusCode(204);
        Instant revoked = Instant.now();
        // apikey.revoked reaches the gateway, which drops the key it had verified
        Boolean refused = Journeys.eventually(Duration.ofSeconds(20), () -> {
            try {
                app.models().list();
                return null;
            } catch (UnauthorizedException e) {
                return true;
            }
        });
        assertTrue(refused);
        System.out.printf("journey: the revoked key was refused by the gateway %d ms after the revocation%n",
                Duration.between(revoked, Instant.now()).toMillis());
    }

    /**
     * A SaaS gives each customer a key with controls of its own: a key's budget and its requests per minute refuse it
     * (in OpenAI's envelope, naming the limit) while the tenant's other keys go on; a raised budget reaches the
     * gateway through {@code apikey.changed}; a key limited to some models neither calls nor lists the others.
     */
    @Test
    void aKeysOwnBudgetAndRateRefuseItWhileTheTenantsOtherKeysGoOn() {
        String access = Journeys.signIn(suite, "saas+" + UUID.randomUUID() + "@example.com");
        JsonPath budgeted = newKey(access, "{\"name\":\"customer 1\",\"scopes\":[\"generate\"],"
                + "\"limits\":{\"monthlyBudget\":{\"generations\":2}}}");
        JsonPath paced = newKey(access, "{\"name\":\"customer 2\",\"scopes\":[\"generate\"],"
                + "\"limits\":{\"requestsPerMinute\":1,\"models\":[\"small\"]}}");
        JsonPath plain = newKey(access, "{\"name\":\"internal\",\"scopes\":[\"generate\"]}");
        OpenAIClient first = client(budgeted.getString("secret"));
        OpenAIClient second = client(paced.getString("secret"));
        OpenAIClient other = client(plain.getString("secret"));

        first.chat().completions().create(ask());
        first.chat().completions().create(ask());
        OpenAIServiceException overBudget = assertThrows(OpenAIServiceException.class,
                () -> first.chat().completions().create(ask()));
        assertEquals(402, overBudget.statusCode());
        assertEquals("insufficient_quota", overBudget.code().orElseThrow());
        assertTrue(overBudget.getMessage().contains("the budget of API key " + budgeted.getString("key.id")
                + ", 2 generations"), overBudget.getMessage());
        // a token exchanged from the key is held to the key's controls too
        String exchanged = given().baseUri(suite.gatewayUrl()).contentType(ContentType.URLENC)
                .formParam("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
                .formParam("subject_token_type", "urn:tollgate:token-type:api-key")
                .formParam("subject_token", budgeted.getString("secret"))
                .post("/auth/token").then().statusCode(200).extract().path("access_token");
        given().baseUri(suite.gatewayUrl()).contentType(ContentType.JSON).auth().oauth2(exchanged)
                .body("{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(402)
                .body("error.budget", org.hamcrest.Matchers.equalTo("api-key"));

        second.chat().completions().create(ask());
        RateLimitException tooFast = assertThrows(RateLimitException.class,
                () -> second.chat().completions().create(ask()));
        assertEquals("rate_limit_exceeded", tooFast.code().orElseThrow());
        assertTrue(tooFast.getMessage().contains("key-minute limit of 1 requests per minute"), tooFast.getMessage());
        // limited to small: the models it may call are the only ones it sees
        assertEquals(java.util.List.of("small"), second.models().list().data().stream()
                .map(com.openai.models.models.Model::id).toList());

        // the tenant's other key is neither budgeted nor paced by them
        for (int i = 0; i < 3; i++) {
            other.chat().completions().create(ask());
        }

        // a raised budget reaches every gateway replica through apikey.changed
        given().baseUri(suite.gatewayUrl()).contentType(ContentType.JSON).auth().oauth2(access)
                .body("{\"limits\":{\"monthlyBudget\":{\"generations\":3}}}")
                .patch("/auth/api-keys/" + budgeted.getString("key.id")).then().statusCode(200);
        Boolean servedAgain = Journeys.eventually(Duration.ofSeconds(20), () -> {
            try {
                first.chat().completions().create(ask());
                return true;
            } catch (OpenAIServiceException e) {
                return null;
            }
        });
        assertEquals(Boolean.TRUE, servedAgain, "the raised budget reached the gateway");
        OpenAIServiceException again = assertThrows(OpenAIServiceException.class,
                () -> first.chat().completions().create(ask()), "the third generation used the raised budget up");
        assertEquals(402, again.statusCode());
        assertTrue(again.getMessage().contains(", 3 generations"), again.getMessage());
    }

    private static JsonPath newKey(String access, String body) {
        return given().baseUri(suite.gatewayUrl()).contentType(ContentType.JSON).auth().oauth2(access).body(body)
                .post("/auth/api-keys").then().statusCode(201).extract().jsonPath();
    }

    private static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(suite.gatewayUrl() + "/v1").apiKey(key).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams ask() {
        return ChatCompletionCreateParams.builder().model("small").addUserMessage("Plan a walk")
                .maxCompletionTokens(20).build();
    }

    /**
     * The takeover a leaked read-only key allowed: through the gateway, neither the key nor the token exchanged from
     * it manages keys, members, exports or money, or generates; it reads usage, as its scope says. Revoked, its
     * exchanged token is refused by every service within seconds.
     */
    @Test
    void aLeakedReadOnlyKeyReadsUsageAndNothingElse() {
        String access = Journeys.signIn(suite, "reader+" + UUID.randomUUID() + "@example.com");
        String tenant = given().baseUri(suite.gatewayUrl()).auth().oauth2(access).get("/auth/tenants")
                .then().statusCode(200).extract().path("[0].id");
        JsonPath issued = given().baseUri(suite.gatewayUrl()).contentType(ContentType.JSON).auth().oauth2(access)
                .body("{\"name\":\"dashboard\",\"scopes\":[\"usage:read\"]}").post("/auth/api-keys")
                .then().statusCode(201).extract().jsonPath();
        String key = issued.getString("secret");
        String exchanged = given().baseUri(suite.gatewayUrl()).contentType(ContentType.URLENC)
                .formParam("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
                .formParam("subject_token_type", "urn:tollgate:token-type:api-key").formParam("subject_token", key)
                .post("/auth/token").then().statusCode(200).extract().path("access_token");

        String chat = "{\"model\":\"small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        for (String credential : new String[] { key, exchanged }) {
            refused(credential, "POST", "/v1/chat/completions", chat, "missing-scope");
        }
        refused(exchanged, "POST", "/auth/api-keys", "{\"name\":\"more\",\"scopes\":[\"generate\"]}",
                "missing-scope");
        refused(exchanged, "POST", "/auth/tenants/" + tenant + "/invitations",
                "{\"email\":\"outsider@example.net\",\"role\":\"owner\"}", "credential-not-accepted");
        refused(exchanged, "POST", "/account/exports", "{}", "credential-not-accepted");
        refused(exchanged, "POST", "/billing/portal", "{}", "credential-not-accepted");
        given().baseUri(suite.gatewayUrl()).auth().oauth2(exchanged).get("/usage").then().statusCode(200);
        given().baseUri(suite.gatewayUrl()).auth().oauth2(exchanged).get("/billing/invoices").then().statusCode(403);

        given().baseUri(suite.gatewayUrl()).auth().oauth2(access).delete("/auth/api-keys/" + issued.getString("key.id"))
                .then().statusCode(204);
        Instant revoked = Instant.now();
        for (String path : new String[] { "/usage", "/auth/api-keys" }) {
            Integer status = Journeys.eventually(Duration.ofSeconds(5), () -> {
                int answer = given().baseUri(suite.gatewayUrl()).auth().oauth2(exchanged).get(path).statusCode();
                return answer == 401 ? answer : null;
            });
            assertEquals(401, status, "the revoked key's exchanged token at " + path);
        }
        System.out.printf("journey: the revoked key's exchanged token was refused by metering and auth %d ms after "
                + "the revocation%n", Duration.between(revoked, Instant.now()).toMillis());
    }

    private static void refused(String credential, String method, String path, String body, String problem) {
        given().baseUri(suite.gatewayUrl()).auth().oauth2(credential).contentType(ContentType.JSON).body(body)
                .request(method, path).then().statusCode(403)
                .body(path.startsWith("/v1/") ? "error.code" : "type", org.hamcrest.Matchers.equalTo(
                        path.startsWith("/v1/") ? problem.replace('-', '_') : "https://tollgate.dev/problems/" + problem));
    }
}
