package dev.tollgate.generation.provider;

import java.util.List;

/**
 * Token counts before a provider has answered: one token per four characters, rounded up, plus four per message
 * for its role and framing. The gate holds this for the prompt; settling replaces it with the provider's count.
 */
public final class Tokens {

    private Tokens() {
    }

    /**
     * {@code text}'s tokens as OpenAI's tokenizer counts them (o200k_base, the GPT-4o family's): what is billed when a
     * provider counted nothing (it sent no usage, or its stream broke off). Slower than {@link #estimate(String)},
     * which holds the gate's worst case before the answer.
     */
    public static long count(String text) {
        return text == null || text.isEmpty() ? 0 : Tokenizer.ENCODING.countTokensOrdinary(text);
    }

    /** The prompt of {@code call} as {@link #count(String)} counts it, with {@link #estimate(ChatCall)}'s framing. */
    public static long count(ChatCall call) {
        return call.document() == null ? counted(call.messages()) : measure(call.document(), Tokens::count);
    }

    private static long counted(List<ChatCall.Message> messages) {
        long total = 0;
        for (ChatCall.Message message : messages) {
            total += 4 + count(message.content());
        }
        return total;
    }

    /** Loaded on first use: its ranks take a moment to read. */
    private static final class Tokenizer {
        static final com.knuddels.jtokkit.api.Encoding ENCODING = com.knuddels.jtokkit.Encodings
                .newLazyEncodingRegistry().getEncoding(com.knuddels.jtokkit.api.EncodingType.O200K_BASE);
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
     * The prompt of an OpenAI request: every string in it but the model's name (the messages' text and tool calls,
     * the tool definitions, a JSON schema, a prediction, ...) at four characters a token, plus four per message; a
     * string of data (a {@code data:} URL or base64 of an image, audio or file part) as {@value #MEDIA_PART}, never its
     * bytes, which would be counted as text.
     */
    public static long estimate(com.fasterxml.jackson.databind.JsonNode document) {
        return measure(document, Tokens::estimate);
    }

    private static long measure(com.fasterxml.jackson.databind.JsonNode document,
            java.util.function.ToLongFunction<String> tokens) {
        long total = 4L * document.path("messages").size();
        var fields = document.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (!field.getKey().equals("model")) {
                total += strings(field.getKey(), field.getValue(), tokens);
            }
        }
        return total;
    }

    private static long strings(String name, com.fasterxml.jackson.databind.JsonNode node,
            java.util.function.ToLongFunction<String> tokens) {
        if (node.isTextual()) {
            String text = node.asText();
            // an image's data URL, input_audio.data, file.file_data: counted as a part, never as text
            return text.startsWith("data:") || DATA_FIELDS.contains(name) ? MEDIA_PART : tokens.applyAsLong(text);
        }
        long total = 0;
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                total += tokens.applyAsLong(field.getKey()) / 2 + strings(field.getKey(), field.getValue(), tokens);
            }
        } else {
            for (var child : node) {
                total += strings(name, child, tokens);
            }
        }
        return total;
    }

    /** The fields of a message part that hold data, not text. */
    private static final java.util.Set<String> DATA_FIELDS = java.util.Set.of("data", "file_data");

    /**
     * The input of an embeddings request: a string or strings at four characters a token, token arrays as their
     * length.
     */
    public static long estimateInput(com.fasterxml.jackson.databind.JsonNode input) {
        if (input.isTextual()) {
            return estimate(input.asText());
        }
        long total = 0;
        for (var item : input) {
            total += item.isTextual() ? estimate(item.asText()) : item.isArray() ? item.size() : 1;
        }
        return total;
    }

    /** What an image, audio or file part of a message is counted as before the provider has counted it. */
    static final long MEDIA_PART = 765;
}
