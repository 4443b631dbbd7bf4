package dev.tollgate.generation.provider.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatChunk;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderHttpError;
import dev.tollgate.generation.provider.StreamInterrupted;
import dev.tollgate.generation.provider.UnsupportedParameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI's request to Anthropic's and Anthropic's answer, whole and streamed, back to OpenAI's: no server. */
class MessagesTranslationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aConversationWithToolsBecomesAlternatingTurnsWithTheSystemPromptApart() throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"claude","max_tokens":50,"user":"customer-7",
                 "messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French.",
                                                   "cache_control":{"type":"ephemeral"}}]},
                  {"role":"user","content":"Weather in Lyon and Nice?"},
                  {"role":"assistant","content":null,"refusal":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Lyon\\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Nice\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"sunny"},
                  {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"rain"}]},
                  {"role":"user","content":"Thanks"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                 "parallel_tool_calls":false,"tool_choice":"required","stop":"END","top_p":0.9,
                 "n":1,"logprobs":false,"presence_penalty":0,"frequency_penalty":0.0,"store":false}""");
        ObjectNode sent = MessagesRequest.of(call(request, 1), "claude-haiku-4-5", true);

        assertEquals("claude-haiku-4-5", sent.get("model").asText());
        assertEquals(50, sent.get("max_tokens").asInt());
        assertTrue(sent.get("stream").asBoolean());
        assertEquals(JSON.readTree("""
                [{"type":"text","text":"Be brief."},
                 {"type":"text","text":"Answer in French.","cache_control":{"type":"ephemeral"}}]"""), sent.get("system"));
        JsonNode messages = sent.get("messages");
        assertEquals(List.of("user", "assistant", "user"), messages.findValuesAsText("role"));
        assertEquals(JSON.readTree("""
                [{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Lyon"}},
                 {"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Nice"}}]"""),
                messages.get(1).get("content"));
        assertEquals(JSON.readTree("""
                [{"type":"tool_result","tool_use_id":"call_1","content":"sunny"},
                 {"type":"tool_result","tool_use_id":"call_2","content":[{"type":"text","text":"rain"}]},
                 {"type":"text","text":"Thanks"}]"""), messages.get(2).get("content"));
        assertEquals(JSON.readTree("{\"type\":\"any\",\"disable_parallel_tool_use\":true}"), sent.get("tool_choice"));
        assertEquals(JSON.readTree("[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}]"),
                sent.get("tools"));
        assertEquals("customer-7", sent.at("/metadata/user_id").asText());
        assertEquals(JSON.readTree("[\"END\"]"), sent.get("stop_sequences"));
        assertEquals(0.9, sent.get("top_p").asDouble());
        for (String neutral : List.of("n", "logprobs", "presence_penalty", "frequency_penalty", "store")) {
            assertTrue(!sent.has(neutral), neutral + " at its default asks for nothing");
        }
    }

    @Test
    void aToolChoiceBeforeParallelCallsOffAndANamedFunctionAndFilesAndImagesByAddress() throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"claude","tool_choice":{"type":"function","function":{"name":"look"}},
                 "parallel_tool_calls":false,
                 "tools":[{"type":"function","function":{"name":"look"}}],
                 "messages":[{"role":"user","content":[
                   {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"auto"}},
                   {"type":"file","file":{"filename":"terms.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]}""");
        ObjectNode sent = MessagesRequest.of(call(request, 1), "m", false);
        assertEquals(JSON.readTree("{\"type\":\"tool\",\"name\":\"look\",\"disable_parallel_tool_use\":true}"),
                sent.get("tool_choice"));
        assertEquals("{\"type\":\"object\",\"properties\":{}}", sent.at("/tools/0/input_schema").toString());
        assertEquals(JSON.readTree("""
                [{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
                 {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},
                  "title":"terms.pdf"}]"""), sent.at("/messages/0/content"));
        assertTrue(!sent.has("stream"));
    }

    @Test
    void aCallTheGatewayComposedKeepsItsSystemPromptAndTemperature() {
        ChatCall composed = new ChatCall(List.of(new ChatCall.Message("system", "Answer with JSON."),
                new ChatCall.Message("user", "A meal plan")), 300, 0.2, JSON.createObjectNode());
        ObjectNode sent = MessagesRequest.of(composed, "m", false);
        assertEquals("Answer with JSON.", sent.at("/system/0/text").asText());
        assertEquals("A meal plan", sent.at("/messages/0/content/0/text").asText());
        assertEquals(0.2, sent.get("temperature").asDouble());
        assertEquals(300, sent.get("max_tokens").asInt());
    }

    @Test
    void topPOfOneAsksForNothingAndNoToolChoiceTakesNoParallelFlag() throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"claude","temperature":0.3,"top_p":1,"tool_choice":"none","parallel_tool_calls":false,
                 "tools":[{"type":"function","function":{"name":"f"}}],
                 "messages":[{"role":"user","content":"hi"}]}""");
        ObjectNode sent = MessagesRequest.of(call(request, 1), "m", false);
        assertTrue(!sent.has("top_p"));
        assertEquals(JSON.readTree("{\"type\":\"none\"}"), sent.get("tool_choice"));
        request.put("top_p", 0.8);
        UnsupportedParameter both = assertThrows(UnsupportedParameter.class,
                () -> MessagesRequest.of(call(request, 1), "m", false));
        assertEquals("top_p", both.param());
    }

    @Test
    void anAccountOutOfCreditIsTheProvidersMisconfigurationNotTheCallersError() {
        assertEquals(402, MessagesAnswer.ownAccount(400,
                """
                        {"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}"""));
        assertEquals(400, MessagesAnswer.ownAccount(400, """
                {"type":"error","error":{"type":"invalid_request_error","message":"messages: roles must alternate"}}"""));
    }

    @Test
    void aToolCallWithoutArgumentsStreamsAnEmptyObjectAndLaterFiguresNeverLowerEarlierOnes() throws Exception {
        MessagesStream stream = new MessagesStream("claude", "m", call((ObjectNode) JSON.readTree(
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 1), () -> {
                });
        stream.read("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":40,"
                + "\"cache_creation_input_tokens\":8,\"output_tokens\":1}}}");
        ChatChunk.Text opened = (ChatChunk.Text) stream.read("{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"now\",\"input\":{}}}");
        assertEquals(48, opened.usage().get("prompt_tokens").asLong(), "each piece carries the prompt's count");
        ChatChunk.Text empty = (ChatChunk.Text) stream.read("{\"type\":\"content_block_stop\",\"index\":0}");
        assertEquals("{}", empty.chunk().at("/choices/0/delta/tool_calls/0/function/arguments").asText());
        stream.read("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"input_tokens\":0,\"output_tokens\":6}}");
        Completion done = ((ChatChunk.Done) stream.read("{\"type\":\"message_stop\"}")).completion();
        assertEquals(48, done.inputTokens());
        assertEquals(8, done.cacheWriteInputTokens());
        assertEquals(6, done.outputTokens());
    }

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            "logprobs":true                                                         | logprobs
            "top_logprobs":2                                                        | top_logprobs
            "seed":7                                                                | seed
            "logit_bias":{"50256":-100}                                             | logit_bias
            "presence_penalty":0.5                                                  | presence_penalty
            "response_format":{"type":"json_object"}                                | response_format
            "reasoning_effort":"low"                                                | reasoning_effort
            "metadata":{"order":"7"}                                                | metadata
            "prompt_cache_key":"k"                                                  | prompt_cache_key
            "temperature":1.2                                                       | temperature
            "tool_choice":{"type":"allowed_tools"}                                  | tool_choice
            "tools":[{"type":"function","function":{"name":"f","strict":true}}]     | tools[0].function.strict
            "tools":[{"type":"custom","custom":{"name":"f"}}]                       | tools[0].type
            "n":2                                                                   | n
            """)
    void aFieldWithoutACounterpartIsRefusedByName(String field, String param) throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]," + field + "}");
        UnsupportedParameter refused = assertThrows(UnsupportedParameter.class,
                () -> MessagesRequest.of(call(request, request.path("n").asInt(1)), "m", false));
        assertEquals(param, refused.param());
    }

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"role":"user","content":"hi","name":"ann"}                                               | messages[0].name
            {"role":"function","name":"f","content":"x"}                                              | messages[0].role
            {"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]} | messages[0].content[0].type
            {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,x","detail":"high"}}]} | messages[0].content[0].image_url.detail
            {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,x"}}]} | messages[0].content[0].image_url.url
            {"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"ephemeral","ttl":"1h"}}]} | messages[0].content[0].cache_control
            {"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}                     | messages[0].content[0].file
            {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]} | messages[0].tool_calls[0].function.arguments
            """)
    void aMessageWithoutACounterpartIsRefusedByName(String message, String param) throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree("{\"model\":\"claude\",\"messages\":[" + message + "]}");
        UnsupportedParameter refused = assertThrows(UnsupportedParameter.class,
                () -> MessagesRequest.of(call(request, 1), "m", false));
        assertEquals(param, refused.param());
    }

    @Test
    void anAnswerWithTextAndAToolCallAndTheCachesCounts() throws Exception {
        ObjectNode answer = MessagesAnswer.completion(JSON.readTree("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5",
                 "content":[{"type":"text","text":"Checking."},
                            {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Lyon"}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,
                          "output_tokens":5}}"""), "claude");
        assertEquals("chat.completion", answer.get("object").asText());
        assertEquals("Checking.", answer.at("/choices/0/message/content").asText());
        assertEquals("tool_calls", answer.at("/choices/0/finish_reason").asText());
        assertEquals("{\"city\":\"Lyon\"}", answer.at("/choices/0/message/tool_calls/0/function/arguments").asText());
        assertEquals(JSON.readTree("""
                {"prompt_tokens":60,"completion_tokens":5,"total_tokens":65,"prompt_tokens_details":{"cached_tokens":30},
                 "cache_creation_input_tokens":20,"cache_read_input_tokens":30}"""),
                JSON.readTree(answer.get("usage").toString()));
        Completion completion = new Completion("claude", "m", "", "tool_calls", 60, 5, answer, answer.get("usage"));
        assertEquals(30, completion.cachedInputTokens());
        assertEquals(20, completion.cacheWriteInputTokens());
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({ "end_turn,stop", "stop_sequence,stop", "max_tokens,length", "tool_use,tool_calls",
            "refusal,content_filter", "pause_turn,stop", "model_context_window_exceeded,length" })
    void stopReasonsAreFinishReasons(String stopReason, String finishReason) {
        assertEquals(finishReason, MessagesAnswer.finishReason(stopReason));
    }

    @Test
    void errorsAreInOpenAisEnvelopeAndAPromptTooLongHasItsCode() throws Exception {
        JsonNode tooLong = JSON.readTree(MessagesAnswer.openAiError(
                """
                        {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"""));
        assertEquals("context_length_exceeded", tooLong.at("/error/code").asText());
        assertEquals("prompt is too long: 210000 tokens > 200000 maximum", tooLong.at("/error/message").asText());
        assertEquals("not json", MessagesAnswer.openAiError("not json"));
    }

    @Test
    void aStreamBecomesOpenAisChunksWithTheRoleFirstAndToolCallDeltas() throws Exception {
        MessagesStream stream = new MessagesStream("claude", "claude-haiku-4-5", call((ObjectNode) JSON.readTree(
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 1), () -> {
                });
        List<ChatChunk> chunks = new ArrayList<>();
        for (String event : List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-haiku-4-5\",\"content\":[],"
                        + "\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":4,\"output_tokens\":1}}}",
                "{\"type\":\"ping\"}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me \"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"look.\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\","
                        + "\"name\":\"look\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"1}\"}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}",
                "{\"type\":\"message_stop\"}")) {
            ChatChunk chunk = stream.read(event);
            if (chunk != null) {
                chunks.add(chunk);
            }
        }
        assertEquals(7, chunks.size(), chunks.toString());
        ObjectNode first = ((ChatChunk.Text) chunks.get(0)).chunk();
        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        assertEquals("Let me ", first.at("/choices/0/delta/content").asText());
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertTrue(((ChatChunk.Text) chunks.get(1)).chunk().at("/choices/0/delta/role").isMissingNode());
        assertEquals(JSON.readTree("""
                {"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"look","arguments":""},"index":0}]}"""),
                ((ChatChunk.Text) chunks.get(2)).chunk().at("/choices/0/delta"));
        assertEquals("{\"a\":", ((ChatChunk.Text) chunks.get(3)).chunk()
                .at("/choices/0/delta/tool_calls/0/function/arguments").asText());
        assertEquals("tool_calls", ((ChatChunk.Text) chunks.get(5)).chunk().at("/choices/0/finish_reason").asText());
        Completion done = ((ChatChunk.Done) chunks.get(6)).completion();
        assertEquals("Let me look.", done.content());
        assertEquals(16, done.inputTokens());
        assertEquals(9, done.outputTokens());
        assertEquals(4, done.cachedInputTokens());
    }

    @Test
    void aStreamCutBeforeItsStopReasonFailsAndAnOverloadBeforeAnyPieceIsA529() throws Exception {
        ChatCall call = call((ObjectNode) JSON.readTree(
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 1);
        MessagesStream cut = new MessagesStream("claude", "m", call, () -> {
        });
        cut.read("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3}}}");
        assertThrows(StreamInterrupted.class, cut::closed);

        MessagesStream overloaded = new MessagesStream("claude", "m", call, () -> {
        });
        ProviderHttpError error = assertThrows(ProviderHttpError.class, () -> overloaded.read(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        assertEquals(529, error.status());
        assertInstanceOf(ObjectNode.class, JSON.readTree(error.body()).get("error"));
        assertNull(MessagesAnswer.finishReason(null));
    }

    /** The call the gateway makes of {@code request}: its document, the limit held, the choices asked for. */
    private static ChatCall call(ObjectNode request, int choices) {
        return new ChatCall(List.of(new ChatCall.Message("user", "hi")), request.path("max_tokens").asInt(100), null,
                null, request, choices);
    }
}
