package dev.tollgate.generation.provider;

import java.util.List;

/**
 * Token counts before a provider has answered: one token per four characters, rounded up, plus four per message
 * for its role and framing. The gate holds this for the prompt; settling replaces it with the provider's count.
 */
public final class Tokens {

    private Tokens() {
    }

    public static long estimate(String text) {
        return text == null ? 0 : (text.length() + 3) / 4;
    }

    public static long estimate(List<ChatCall.Message> messages) {
        long total = 0;
        for (ChatCall.Message message : messages) {
            total += 4 + estimate(message.content());
        }
        return total;
    }

    /** The prompt of {@code call}: its document's messages and tools when the caller sent one, else its messages. */
    public static long estimate(ChatCall call) {
        return call.document() == null ? estimate(call.messages()) : estimate(call.document());
    }

    /**
     * The prompt of an OpenAI request: per message, its text parts, tool calls and name, plus four for its framing;
     * an image, audio or file part as {@value #MEDIA_PART} (OpenAI bills a 1024 x 1024 image at high detail as 765;
     * never its bytes, which would be counted as text); and the tool definitions as their JSON.
     */
    public static long estimate(com.fasterxml.jackson.databind.JsonNode document) {
        long total = 0;
        for (var message : document.path("messages")) {
            total += 4;
            var content = message.path("content");
            if (content.isTextual()) {
                total += estimate(content.asText());
            } else if (content.isArray()) {
                for (var part : content) {
                    total += part.hasNonNull("text") ? estimate(part.get("text").asText()) : MEDIA_PART;
                }
            }
            total += estimate(message.path("name").asText(null));
            for (var toolCall : message.path("tool_calls")) {
                total += estimate(toolCall.path("function").path("name").asText(""))
                        + estimate(toolCall.path("function").path("arguments").asText(""));
            }
        }
        if (document.has("tools")) {
            total += estimate(document.get("tools").toString());
        }
        return total;
    }

    /** What an image, audio or file part of a message is counted as before the provider has counted it. */
    static final long MEDIA_PART = 765;
}
