package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
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
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The request reaches an OpenAI-compatible provider field for field, and its answer, or each chunk of its stream,
 * reaches the caller field for field: real OpenAI documents kept in {@code src/test/resources/openai}, and OpenAI's
 * Java SDK calling tools over two turns, streaming tool-call deltas, sending an image part and a JSON schema.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class ChatPassThroughTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPSTREAM = "/v1/chat/completions";

    @TestHTTPResource("/v1")
    URL gateway;

    @Inject
    EventCodec codec;

    @Test
    void aToolConversationGoesOnFieldForFieldAndItsAnswerComesBackFieldForField() throws IOException {
        UUID tenant = UUID.randomUUID();
        ObjectNode request = (ObjectNode) JSON.readTree(resource("tools-request.json"));
        String marker = "weather-" + UUID.randomUUID();
        ((ObjectNode) request.get("messages").get(4)).put("content", "And Lyon? " + marker);
        String answer = resource("tools-answer.json");
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .willReturn(okJson(answer)));

        Response response = Callers.as(UUID.randomUUID(), tenant, "member").body(request.toString()).post(UPSTREAM);
        assertEquals(200, response.statusCode(), response.asString());

        // the provider got the caller's document, with only the model the route names in place of the route
        ObjectNode expected = request.deepCopy();
        expected.put("model", FakeOpenAi.MODEL);
        // and the token limit in the field this provider reads (max_tokens unless configured otherwise)
        expected.remove("max_completion_tokens");
        expected.put("max_tokens", 300);
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo(UPSTREAM))
                .withRequestBody(equalToJson(expected.toString(), false, false)));

        // the caller got the provider's answer, field for field, under the generation's id and with the provider
        ObjectNode received = (ObjectNode) JSON.readTree(response.asString());
        assertTrue(received.get("id").asText().startsWith("chatcmpl-"), received.toString());
        assertEquals("primary", received.get("provider").asText());
        ObjectNode sent = (ObjectNode) JSON.readTree(answer);
        received.remove(List.of("id", "provider"));
        sent.remove("id");
        assertEquals(sent, received);

        // billed as the provider counted: 182 in, 23 out (the tool call)
        String generation = Sql.text("select id::text from generation.generations where tenant_id = ?", tenant);
        assertEquals(182, Sql.number("select input_tokens from generation.generations where id = ?::uuid", generation));
        assertEquals(23, Sql.number("select output_tokens from generation.generations where id = ?::uuid", generation));
        assertEquals("tool_calls", Sql.text("select finish_reason from generation.generations where id = ?::uuid",
                generation));
        // 128 of the 182 input tokens came from the provider's cache, at its own price: 54 x 1,000 + 128 x 250 +
        // 23 x 4,000 micros (FakeOpenAi's prices for primary)
        UsageRecorded usage = codec.decode(Sql.text("select payload from generation.outbox where topic = "
                + "'usage.recorded' and message_key = ?", tenant.toString()), EventType.USAGE_RECORDED);
        assertEquals(Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.INPUT_TOKENS, 182L,
                UsageRecorded.OUTPUT_TOKENS, 23L, UsageRecorded.CACHED_INPUT_TOKENS, 128L,
                UsageRecorded.COST_MICROS, 178_000L), usage.quantities());
        // for the app's own customer named in "user"; made with a session, so with no API key
        assertEquals("customer-7781", usage.endUser());
        assertEquals(null, usage.apiKeyId());
        assertEquals(2, usage.schemaVersion());
    }

    @Test
    void aStreamsChunksComeBackFieldForFieldAndItsUsageOnlyWhenAskedFor() throws IOException {
        String marker = "stream-" + UUID.randomUUID();
        String upstream = resource("tools-stream.txt");
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(upstream)));
        List<JsonNode> sentChunks = new ArrayList<>();
        for (String line : upstream.split("\n")) {
            if (line.startsWith("data: {")) {
                sentChunks.add(JSON.readTree(line.substring(6)));
            }
        }

        for (boolean includeUsage : List.of(false, true)) {
            String body = """
                    {"model":"small","stream":true,"stream_options":{"include_usage":%s},
                     "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                     "messages":[{"role":"user","content":"%s"}]}""".formatted(includeUsage, marker);
            Response response = Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(body).post(UPSTREAM);
            assertEquals(200, response.statusCode(), response.asString());
            List<JsonNode> received = new ArrayList<>();
            List<String> lines = response.asString().lines().filter(line -> line.startsWith("data: ")).toList();
            assertEquals("data: [DONE]", lines.get(lines.size() - 1));
            for (String line : lines.subList(0, lines.size() - 1)) {
                received.add(JSON.readTree(line.substring(6)));
            }
            String id = received.get(0).get("id").asText();
            assertTrue(id.startsWith("chatcmpl-") && !id.equals("chatcmpl-stream1"), id);
            // the four chunks with choices as the provider sent them (its "usage": null left out), under one id
            for (int i = 0; i < 4; i++) {
                ObjectNode expected = ((ObjectNode) sentChunks.get(i)).deepCopy();
                expected.put("id", id);
                expected.remove("usage");
                assertEquals(expected, received.get(i), "chunk " + i);
            }
            if (includeUsage) {
                assertEquals(5, received.size(), received.toString());
                assertEquals(sentChunks.get(4).get("usage"), received.get(4).get("usage"),
                        "the provider's usage, details included");
                assertTrue(received.get(4).get("choices").isEmpty());
            } else {
                assertEquals(4, received.size(), "no usage chunk unless asked for: " + received);
            }
        }
        // the provider is always asked for the usage of a stream, which the gateway bills
        FakeOpenAi.server().verify(2, postRequestedFor(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalToJson("true")))
                .withRequestBody(matchingJsonPath("$.stream", equalToJson("true"))));
    }

    @Test
    void theOfficialSdkCallsAToolOverTwoTurnsAndStreamsToolCallDeltas() {
        OpenAIClient client = OpenAiClients.member(gateway, UUID.randomUUID());
        String marker = "sdk-tools-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker)).atPriority(5)
                .willReturn(okJson(toolCallAnswer())));
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'tool')]"))
                .willReturn(okJson(FakeOpenAi.completion("Lyon is sunny, 24 degrees.", 60, 9))));

        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build()).build();
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model("small")
                .addUserMessage("Weather in Lyon? " + marker).addTool(weather).maxCompletionTokens(100).build();
        ChatCompletion asked = client.chat().completions().create(first);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, asked.choices().get(0).finishReason());
        ChatCompletionMessageToolCall call = asked.choices().get(0).message().toolCalls().orElseThrow().get(0);
        assertEquals("get_weather", call.asFunction().function().name());
        assertEquals("{\"city\":\"Lyon\"}", call.asFunction().function().arguments());

        ChatCompletion answered = client.chat().completions().create(first.toBuilder()
                .addMessage(asked.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
                        .content("{\"sky\":\"sunny\",\"celsius\":24}").build())
                .build());
        assertEquals("Lyon is sunny, 24 degrees.", answered.choices().get(0).message().content().orElseThrow());
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .withRequestBody(matchingJsonPath("$.messages[1].tool_calls[0].id", equalTo("call_sdk1")))
                .withRequestBody(matchingJsonPath("$.messages[2].tool_call_id", equalTo("call_sdk1")))
                .withRequestBody(matchingJsonPath("$.tools[0].function.name", equalTo("get_weather"))));

        String streamMarker = "sdk-stream-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(streamMarker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(resource("tools-stream.txt"))));
        StringBuilder arguments = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("small").addUserMessage("Weather? " + streamMarker)
                        .addTool(weather).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().toolCalls().ifPresent(calls -> calls.forEach(delta -> delta.function()
                        .flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments)
                        .ifPresent(arguments::append)));
                choice.finishReason().ifPresent(reason -> finishes.add(reason.asString()));
            }));
        }
        assertEquals("{\"city\":\"Lyon\",\"unit\":\"celsius\"}", arguments.toString());
        assertEquals(List.of("tool_calls"), finishes);
    }

    @Test
    void anImagePartAJsonSchemaAndTwoChoicesReachTheProviderAndTwoChoicesAreHeldTwice() {
        UUID tenant = UUID.randomUUID();
        OpenAIClient client = OpenAiClients.member(gateway, tenant);
        String marker = "image-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .willReturn(okJson("""
                        {"id":"chatcmpl-2","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"{\\"animal\\":\\"cat\\"}"},
                                     "finish_reason":"stop"},
                                    {"index":1,"message":{"role":"assistant","content":"{\\"animal\\":\\"lynx\\"}"},
                                     "finish_reason":"stop"}],
                         "usage":{"prompt_tokens":300,"completion_tokens":12,"total_tokens":312}}""")));
        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder().model("small")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                .text("Which animal is this? " + marker).build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                        .url("data:image/png;base64," + "iVBORw0KGgo".repeat(2000)).build())
                                .build())))
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
                        .builder().name("animal").strict(true).schema(ResponseFormatJsonSchema.JsonSchema.Schema
                                .builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("animal",
                                        Map.of("type", "string"))))
                                .build())
                        .build()).build())
                .n(2).maxCompletionTokens(50).build());
        assertEquals(2, answer.choices().size());
        assertEquals("{\"animal\":\"lynx\"}", answer.choices().get(1).message().content().orElseThrow());
        FakeOpenAi.server().verify(1, postRequestedFor(urlEqualTo(UPSTREAM)).withRequestBody(containing(marker))
                .withRequestBody(matchingJsonPath("$.messages[0].content[1].type", equalTo("image_url")))
                .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
                .withRequestBody(matchingJsonPath("$.response_format.json_schema.name", equalTo("animal")))
                .withRequestBody(matchingJsonPath("$.n", equalToJson("2"))));

        // the free tier allows 100,000 output tokens: one choice of 60,000 fits, two do not
        String fitsMarker = "fits-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(UPSTREAM)).withRequestBody(containing(fitsMarker))
                .willReturn(okJson(FakeOpenAi.completion("fits", 5, 1))));
        String fits = "{\"model\":\"small\",\"max_tokens\":60000,\"messages\":[{\"role\":\"user\",\"content\":\""
                + fitsMarker + "\"}]}";
        String twice = "{\"model\":\"small\",\"max_tokens\":60000,\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        Response refused = Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(twice).post(UPSTREAM);
        assertEquals(402, refused.statusCode(), refused.asString());
        assertEquals(200, Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(fits).post(UPSTREAM)
                .statusCode(), "one choice of 60,000 fits the free tier");
        // n beyond an int is refused, never read as a smaller number
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(fits.replace("\"max_tokens\"",
                "\"n\":4294967298,\"max_tokens\"")).post(UPSTREAM).then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("n"));
        // what a provider prices apart from tokens is refused, naming the field
        Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member").body(fits.replace("\"max_tokens\"",
                "\"modalities\":[\"text\",\"audio\"],\"max_tokens\"")).post(UPSTREAM).then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("modalities"));
        assertEquals(300L, (long) Sql.number("select coalesce(sum(input_tokens), 0) from generation.generations "
                + "where tenant_id = ?", tenant), "billed as the provider counted the image");
    }

    private static String toolCallAnswer() {
        return """
                {"id":"chatcmpl-t1","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_sdk1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Lyon\\"}"}}]},
                   "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":50,"completion_tokens":10,"total_tokens":60}}""";
    }

    private static String resource(String name) {
        try (InputStream in = ChatPassThroughTest.class.getResourceAsStream("/openai/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
