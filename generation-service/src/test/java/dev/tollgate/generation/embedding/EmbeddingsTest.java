package dev.tollgate.generation.embedding;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.generation.OpenAiClients;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/embeddings}: passed on to the provider as sent, its answer passed back, metered by input tokens and
 * their cost (no generation), refused by the plan and the gate like a chat completion.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class EmbeddingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPSTREAM = "/v1/embeddings";

    @TestHTTPResource("/v1")
    URL gateway;

    @Inject
    EventCodec codec;

    @Test
    void theSdkGetsTheProvidersEmbeddingsAndTheirInputTokensAreBilledWithoutAGeneration() throws Exception {
        UUID tenant = UUID.randomUUID();
        String marker = "embed-" + UUID.randomUUID();
        String answer = """
                {"object":"list","model":"text-embedding-3-small",
                 "data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,0.015797347]},
                         {"object":"embedding","index":1,"embedding":[-0.0069276727,0.0055417516,-0.0047632074]}],
                 "usage":{"prompt_tokens":12,"total_tokens":12}}""";
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .willReturn(okJson(answer)));

        CreateEmbeddingResponse embeddings = OpenAiClients.member(gateway, tenant).embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("text-embedding-3-small").inputOfArrayOfStrings(List.of("a lighthouse " + marker, "a harbour"))
                        .dimensions(3).user("customer-42").build());
        assertEquals(2, embeddings.data().size());
        List<Float> second = embeddings.data().get(1).embedding();
        assertEquals(3, second.size());
        assertEquals(-0.0069276727f, second.get(0));
        assertEquals(0.0055417516f, second.get(1));
        assertEquals(-0.0047632074f, second.get(2));
        assertEquals(12, embeddings.usage().promptTokens());

        // the provider got the request as sent, with its own model's name
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo(UPSTREAM)).withRequestBody(equalToJson(
                "{\"model\":\"text-embedding-3-small\",\"input\":[\"a lighthouse " + marker
                        + "\",\"a harbour\"],\"dimensions\":3,\"user\":\"customer-42\"}",
                true, true)));

        // billed: 12 input tokens and their cost (1,000 $ a million in tests: 12,000 micros), no generation
        UsageRecorded usage = codec.decode(Sql.text("select payload from generation.outbox where topic = "
                + "'usage.recorded' and message_key = ?", tenant.toString()), EventType.USAGE_RECORDED);
        assertEquals(Map.of(UsageRecorded.INPUT_TOKENS, 12L, UsageRecorded.COST_MICROS, 12_000L), usage.quantities());
        assertEquals("text-embedding-3-small", usage.model());
        assertEquals("customer-42", usage.endUser(), "for the app's own customer named in \"user\"");
        assertEquals(0, Sql.number("select count(*) from generation.generations where tenant_id = ?", tenant),
                "embeddings are no generation in the history");
    }

    @Test
    void theAnswerComesBackFieldForFieldAndTheOfflineModelStandsInWithoutAProvider() throws Exception {
        String marker = "fields-" + UUID.randomUUID();
        String answer = """
                {"object":"list","model":"text-embedding-3-small-v2","data":[{"object":"embedding","index":0,
                 "embedding":"AAAAAAAA8D8AAAAAAAAAQA=="}],"usage":{"prompt_tokens":3,"total_tokens":3},
                 "a_field_openai_adds_later":{"x":1}}""";
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .willReturn(okJson(answer)));
        Response response = Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member")
                .body("{\"model\":\"text-embedding-3-small\",\"input\":\"" + marker + "\",\"encoding_format\":\"base64\"}")
                .post(UPSTREAM);
        assertEquals(200, response.statusCode(), response.asString());
        ObjectNode received = (ObjectNode) JSON.readTree(response.asString());
        assertEquals("embedder", received.remove("provider").asText());
        assertEquals(JSON.readTree(answer), received);

        Response offline = Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member")
                .body("{\"model\":\"offline-embeddings\",\"input\":[\"one\",\"two\"],\"dimensions\":8}")
                .post(UPSTREAM);
        assertEquals(200, offline.statusCode(), offline.asString());
        List<List<Number>> vectors = offline.jsonPath().getList("data.embedding");
        assertEquals(2, vectors.size());
        assertEquals(8, vectors.get(0).size());
        assertFalse(vectors.get(0).equals(vectors.get(1)), "different texts, different vectors");
        double length = vectors.get(0).stream().mapToDouble(value -> value.doubleValue() * value.doubleValue()).sum();
        assertEquals(1.0, length, 1e-6, "a unit vector");
    }

    @Test
    void refusalsAreOpenAisErrorsAndTheModelListFollowsThePlan() {
        OpenAIClient client = OpenAiClients.member(gateway, UUID.randomUUID());
        OpenAIServiceException unknown = org.junit.jupiter.api.Assertions.assertThrows(OpenAIServiceException.class,
                () -> client.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-9")
                        .input("hello").build()));
        assertEquals(400, unknown.statusCode());
        assertEquals("model_not_found", unknown.code().orElseThrow());

        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member")
                .body("{\"model\":\"text-embedding-3-small\",\"input\":[]}").post(UPSTREAM)
                .then().statusCode(400).body("error.param", Matchers.equalTo("input"));
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member")
                .body("{\"model\":\"text-embedding-3-small\",\"input\":[\"text\",[1,2]]}").post(UPSTREAM)
                .then().statusCode(400).body("error.param", Matchers.equalTo("input"));

        // the free tier allows 200,000 input tokens a month: an input estimated at 250,000 is refused before the call
        String huge = "x".repeat(1_000_000);
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member")
                .body("{\"model\":\"text-embedding-3-small\",\"input\":\"" + huge + "\"}").post(UPSTREAM)
                .then().statusCode(402).body("error.code", Matchers.equalTo("insufficient_quota"))
                .body("error.metric", Matchers.equalTo("input_tokens"));

        List<String> models = client.models().list().data().stream().map(com.openai.models.models.Model::id).toList();
        assertTrue(models.containsAll(List.of("small", "text-embedding-3-small", "offline-embeddings")), models.toString());
        assertFalse(models.contains("exclusive"), "the free tier does not include it: " + models);
    }

}
