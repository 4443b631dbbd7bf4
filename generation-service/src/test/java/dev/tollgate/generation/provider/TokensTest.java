package dev.tollgate.generation.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** What the gate holds before an answer, and what is billed when a provider counted nothing. */
class TokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theTokenizerCountsAsOpenAisModelsDo() {
        assertEquals(2, Tokens.count("Hello there"));
        assertEquals(0, Tokens.count(""));
        // a special token's text is ordinary text here, never a failure
        assertTrue(Tokens.count("<|endoftext|>") > 1);
        // CJK text is held for at its bytes, closer to what tokenizers count than its characters
        assertTrue(Tokens.estimate("東京の天気はどうですか") >= 8, String.valueOf(Tokens.estimate("東京の天気はどうですか")));
    }

    @Test
    void dataIsCountedAsAPartNeverAsTextAndEveryOtherStringIsCounted() throws Exception {
        String image = "data:image/png;base64," + "iVBORw0KGgo".repeat(50_000);
        ObjectNode withImage = (ObjectNode) JSON.readTree("""
                {"model":"small","messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},
                 {"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(image));
        long estimate = Tokens.estimate(withImage);
        assertTrue(estimate >= Tokens.MEDIA_PART && estimate < Tokens.MEDIA_PART + 50, String.valueOf(estimate));

        ObjectNode audio = (ObjectNode) JSON.readTree("""
                {"model":"small","messages":[{"role":"user","content":[{"type":"input_audio",
                 "input_audio":{"data":"%s","format":"wav"}}]}]}""".formatted("UklGR".repeat(20_000)));
        assertTrue(Tokens.estimate(audio) < Tokens.MEDIA_PART + 50, String.valueOf(Tokens.estimate(audio)));

        // text that only looks like data is text, wherever it stands
        ObjectNode looksLikeData = (ObjectNode) JSON.readTree("""
                {"model":"small","messages":[{"role":"user","content":"data: %s"}]}""".formatted("x".repeat(40_000)));
        assertTrue(Tokens.estimate(looksLikeData) > 9_000, String.valueOf(Tokens.estimate(looksLikeData)));

        // a schema, a prediction or tool definitions are text the provider reads: they are held for
        ObjectNode withSchema = (ObjectNode) JSON.readTree("""
                {"model":"small","messages":[{"role":"user","content":"hi"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}}}""");
        ((ObjectNode) withSchema.at("/response_format/json_schema/schema")).put("description", "x".repeat(4_000));
        assertTrue(Tokens.estimate(withSchema) > 1_000, String.valueOf(Tokens.estimate(withSchema)));
    }
}
