package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionSystemMessageParam;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.generation.FakeAnthropic;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.generation.OpenAiClients;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Claude through the OpenAI surface: OpenAI's Java SDK calls the gateway, whose Anthropic provider speaks to a
 * wire-level emulator of Anthropic's Messages API ({@link FakeAnthropic}, which refuses what Anthropic would):
 * whole and streamed text, a tool call over two turns, an image, usage and cost from Anthropic's counts (its cache
 * reads and writes priced apart), retries on its 429, fallback between Claude and OpenAI both ways, and a field
 * that cannot be translated refused by name.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
@QuarkusTestResource(FakeAnthropic.class)
class AnthropicRoutesTest {

    @TestHTTPResource("/v1")
    URL gateway;

    @Inject
    EventCodec codec;

    @Test
    void textWholeAndStreamedWithTheCachesCountsPricedApart() {
        UUID tenant = UUID.randomUUID();
        OpenAIClient client = OpenAiClients.member(gateway, tenant);
        String marker = "text-" + UUID.randomUUID();
        // a system prompt marked for Anthropic's cache (a field OpenAI's SDK sends as given)
        ChatCompletionSystemMessageParam system = ChatCompletionSystemMessageParam.builder()
                .contentOfArrayOfContentParts(List.of(ChatCompletionContentPartText.builder()
                        .text("You plan meals for busy people " + marker)
                        .putAdditionalProperty("cache_control", JsonValue.from(Map.of("type", "ephemeral")))
                        .build()))
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude")
                .addMessage(system).addUserMessage("plan my week").maxCompletionTokens(60).temperature(0.5)
                .stop("never-said").build();

        ChatCompletion whole = client.chat().completions().create(params);
        assertEquals("Hello from Claude. You said: plan my week", whole.choices().get(0).message().content()
                .orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, whole.choices().get(0).finishReason());
        assertEquals(FakeAnthropic.MODEL, whole.model());
        assertEquals("claude", whole._additionalProperties().get("provider").asString().orElseThrow());
        // what Anthropic received: the system prompt as a block with its cache mark, the limit, the options
        JsonNode sent = FakeAnthropic.received(marker).get(0);
        assertEquals("ephemeral", sent.at("/system/0/cache_control/type").asText());
        assertEquals(60, sent.get("max_tokens").asInt());
        assertEquals(0.5, sent.get("temperature").asDouble());
        assertEquals("never-said", sent.at("/stop_sequences/0").asText());
        assertEquals("plan my week", sent.at("/messages/0/content/0/text").asText());

        // Anthropic's counts: the marked system prompt (7 words) written to the cache, 8 tokens out
        var usage = whole.usage().orElseThrow();
        long input = usage.promptTokens();
        assertEquals(8, usage.completionTokens());
        assertEquals(0, usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
        assertEquals(7L, ((Number) usage._additionalProperties().get("cache_creation_input_tokens").asNumber()
                .orElseThrow()).longValue());
        UsageRecorded first = usageOf(whole.id());
        // 7 written at 1,250 $/M, the rest at 1,000 $/M, 8 out at 5,000 $/M: in micros
        assertEquals(7 * 1250 + (input - 7) * 1000 + 8 * 5000, first.quantities().get(UsageRecorded.COST_MICROS));
        assertEquals(input, first.quantities().get(UsageRecorded.INPUT_TOKENS));
        assertEquals("claude", Sql.text("select provider from generation.generations where id = ?::uuid",
                generation(whole.id())));

        // streamed: the same text, chunk by chunk, and the usage chunk with the cache read this time
        StringBuilder streamed = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        long[] counted = { -1, -1 };
        String[] id = { null };
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                params.toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                id[0] = chunk.id();
                chunk.choices().forEach(choice -> {
                    choice.delta().content().ifPresent(streamed::append);
                    choice.finishReason().ifPresent(reason -> finishes.add(reason.asString()));
                });
                chunk.usage().ifPresent(u -> {
                    counted[0] = u.completionTokens();
                    counted[1] = u.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
                });
            });
        }
        assertEquals("Hello from Claude. You said: plan my week", streamed.toString());
        assertEquals(List.of("stop"), finishes);
        assertEquals(8, counted[0]);
        assertEquals(7, counted[1], "the marked system prompt is read from the cache the second time");
        UsageRecorded second = usageOf(id[0]);
        assertEquals(7L, second.quantities().get(UsageRecorded.CACHED_INPUT_TOKENS));
        assertEquals(7 * 100 + (input - 7) * 1000 + 8 * 5000, second.quantities().get(UsageRecorded.COST_MICROS));
    }

    @Test
    void aToolCallOverTwoTurnsWholeAndStreamedAndAnImage() {
        OpenAIClient client = OpenAiClients.member(gateway, UUID.randomUUID());
        String marker = "tools-" + UUID.randomUUID();
        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").description("The weather in a city").parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build()).build();
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model("claude")
                .addUserMessage("Weather in Lyon? " + marker).addTool(weather).maxCompletionTokens(100).build();
        ChatCompletion asked = client.chat().completions().create(first);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, asked.choices().get(0).finishReason());
        ChatCompletionMessageToolCall call = asked.choices().get(0).message().toolCalls().orElseThrow().get(0);
        assertEquals("get_weather", call.asFunction().function().name());
        assertEquals("{\"city\":\"emulated\"}", call.asFunction().function().arguments());
        JsonNode tools = FakeAnthropic.received(marker).get(0).get("tools");
        assertEquals("get_weather", tools.at("/0/name").asText());
        assertEquals("city", tools.at("/0/input_schema/required/0").asText());

        // the second turn: the assistant's tool call and the tool's result, which the emulator checks belong together
        ChatCompletion answered = client.chat().completions().create(first.toBuilder()
                .addMessage(asked.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
                        .content("sunny, 24 degrees").build())
                .build());
        assertEquals("The tool answered: sunny, 24 degrees", answered.choices().get(0).message().content()
                .orElseThrow());
        JsonNode turns = FakeAnthropic.received(marker).get(1).get("messages");
        assertEquals(call.asFunction().id(), turns.at("/1/content/0/id").asText());
        assertEquals("tool_result", turns.at("/2/content/0/type").asText());

        // streamed, the call comes as OpenAI's tool-call deltas
        StringBuilder arguments = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<String> finishes = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(first)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> {
                choice.delta().toolCalls().ifPresent(calls -> calls.forEach(delta -> delta.function().ifPresent(f -> {
                    f.name().ifPresent(names::add);
                    f.arguments().ifPresent(arguments::append);
                })));
                choice.finishReason().ifPresent(reason -> finishes.add(reason.asString()));
            }));
        }
        assertEquals(List.of("get_weather"), names);
        assertEquals("{\"city\":\"emulated\"}", arguments.toString());
        assertEquals(List.of("tool_calls"), finishes);

        // an image, as a data URL, reaches Claude as a base64 image block
        String imageMarker = "image-" + UUID.randomUUID();
        ChatCompletion seen = client.chat().completions().create(ChatCompletionCreateParams.builder().model("claude")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                .text("What is this? " + imageMarker).build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                        .url("data:image/png;base64,iVBORw0KGgo=").build())
                                .build())))
                .maxCompletionTokens(50).build());
        assertEquals("I see an image (image/png)", seen.choices().get(0).message().content().orElseThrow());
        JsonNode image = FakeAnthropic.received(imageMarker).get(0).at("/messages/0/content/1");
        assertEquals("base64", image.at("/source/type").asText());
        assertEquals("iVBORw0KGgo=", image.at("/source/data").asText());
    }

    @Test
    void overloadedClaudeFallsBackToOpenAiAndBackAndItsRateLimitIsRetriedAfterItsPause() {
        OpenAIClient client = OpenAiClients.member(gateway, UUID.randomUUID());
        String marker = "overloaded-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("OpenAI stood in", 12, 3))));
        ChatCompletion fellBack = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("claude-first").addUserMessage("hello " + marker).maxCompletionTokens(30).build());
        assertEquals("OpenAI stood in", fellBack.choices().get(0).message().content().orElseThrow());
        assertEquals("primary", fellBack._additionalProperties().get("provider").asString().orElseThrow());
        // Anthropic's 529 is retried (twice in tests) before the route moves on
        assertEquals(3, FakeAnthropic.received(marker).size());

        // OpenAI failing falls back to Claude
        String down = "openai-down-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(down))
                .willReturn(aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"boom\"}}")));
        ChatCompletion claude = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-first").addUserMessage("hello " + down).maxCompletionTokens(30).build());
        assertEquals("Hello from Claude. You said: hello " + down, claude.choices().get(0).message().content()
                .orElseThrow());

        // a 429 naming its pause (retry-after: 0) is asked again, and answered
        String slow = "slow-down-" + UUID.randomUUID();
        ChatCompletion retried = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("claude").addUserMessage(slow).maxCompletionTokens(30).build());
        assertEquals("Hello from Claude. You said: " + slow, retried.choices().get(0).message().content()
                .orElseThrow());
        assertEquals(2, FakeAnthropic.received(slow).size());

        // an overload error in the middle of a stream ends it with an error (never a quiet end), and the part sent
        // is recorded and billed
        UUID tenant = UUID.randomUUID();
        OpenAIClient broken = OpenAiClients.member(gateway, tenant);
        String cut = "break-mid-stream-" + UUID.randomUUID();
        StringBuilder partial = new StringBuilder();
        OpenAIException failed = assertThrows(OpenAIException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> stream = broken.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("claude-first").addUserMessage(cut)
                            .maxCompletionTokens(40).build())) {
                stream.stream().forEach(chunk -> chunk.choices()
                        .forEach(choice -> choice.delta().content().ifPresent(partial::append)));
            }
        });
        assertEquals("Hello ", partial.toString(), "no other provider starts over once a piece was sent");
        assertTrue(failed.getMessage().contains("broke off"), failed.getMessage());
        assertEquals(1, Sql.number("select count(*) from generation.generations where tenant_id = ? "
                + "and outcome = 'interrupted' and output = 'Hello ' and output_tokens > 0", tenant));
        // billed for the prompt as Anthropic counted it when the stream started, not an estimate
        assertEquals(FakeAnthropic.promptTokens(cut), Sql.number("select input_tokens from generation.generations "
                + "where tenant_id = ?", tenant));
    }

    @Test
    void aFieldClaudeCannotHonourIsRefusedByNameOrServedByAProviderThatCan() {
        UUID tenant = UUID.randomUUID();
        OpenAIClient client = OpenAiClients.member(gateway, tenant);
        String marker = "logprobs-" + UUID.randomUUID();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude")
                .addUserMessage("hello " + marker).logprobs(true).maxCompletionTokens(30).build();
        BadRequestException refused = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(params));
        assertEquals("unsupported_parameter", refused.code().orElseThrow());
        assertEquals("logprobs", refused.param().orElseThrow());
        assertTrue(refused.getMessage().contains("logprobs"), refused.getMessage());
        assertEquals(0, FakeAnthropic.received(marker).size(), "the request never reached Claude without it");
        assertEquals(0, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' "
                + "and message_key = ?", tenant.toString()), "nothing billed");

        // on a route with OpenAI behind Claude, OpenAI honours it
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(okJson(FakeOpenAi.completion("with logprobs", 5, 2))));
        ChatCompletion served = client.chat().completions().create(params.toBuilder().model("claude-first").build());
        assertEquals("with logprobs", served.choices().get(0).message().content().orElseThrow());

        // a temperature above Claude's range is refused by name too, as is a second choice
        BadRequestException hot = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("claude").addUserMessage("hi").temperature(1.5)
                        .build()));
        assertEquals("temperature", hot.param().orElseThrow());
        BadRequestException two = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("claude").addUserMessage("hi").n(2).build()));
        assertEquals("n", two.param().orElseThrow());
    }

    private UsageRecorded usageOf(String completionId) {
        return codec.decode(Sql.text("select payload from generation.outbox where topic = 'usage.recorded' "
                + "and payload like ?", "%" + generation(completionId) + "%"), EventType.USAGE_RECORDED);
    }

    private static String generation(String completionId) {
        return completionId.substring("chatcmpl-".length());
    }
}
