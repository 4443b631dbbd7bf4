package dev.tollgate.generation.provider;

import java.util.List;

/**
 * Token counts before a provider has answered: one token per four bytes of UTF-8 (four characters of ASCII), rounded up, plus
 * four per message
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
        if (text == null) {
            return 0;
        }
        // four bytes of UTF-8 a token: ASCII at four characters, CJK at about one and a third, as tokenizers count
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return (bytes + 3) / 4;
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
                total += strings("", field.getKey(), field.getValue(), tokens);
            }
        }
        return total;
    }

    /** The strings of {@code node}, the value of field {@code name} of an object that is field {@code parent}. */
    private static long strings(String parent, String name, com.fasterxml.jackson.databind.JsonNode node,
            java.util.function.ToLongFunction<String> tokens) {
        if (node.isTextual()) {
            return isData(parent, name, node.asText()) ? MEDIA_PART : tokens.applyAsLong(node.asText());
        }
        long total = 0;
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                total += tokens.applyAsLong(field.getKey()) / 2 + strings(name, field.getKey(), field.getValue(), tokens);
            }
        } else {
            for (var child : node) {
                total += strings(parent, name, child, tokens);
            }
        }
        return total;
    }

    /**
     * Whether a string is a media part's data, counted as a part: an image's {@code image_url.url} that is a data
     * URL, {@code input_audio.data}, {@code file.file_data}. Any other string is text, whatever it starts with.
     */
    private static boolean isData(String parent, String name, String text) {
        return parent.equals("image_url") && name.equals("url") && text.startsWith("data:")
                || parent.equals("input_audio") && name.equals("data")
                || parent.equals("file") && name.equals("file_data");
    }

    /**
     * The input of an embeddings request: a string or strings at four characters a token, token arrays as their
     * length.
     */
    public static long estimateInput(com.fasterxml.jackson.databind.JsonNode input) {
        return measureInput(input, Tokens::estimate);
    }

    /** The input of an embeddings request as {@link #count(String)} counts it: what is billed when uncounted. */
    public static long countInput(com.fasterxml.jackson.databind.JsonNode input) {
        return measureInput(input, Tokens::count);
    }

    private static long measureInput(com.fasterxml.jackson.databind.JsonNode input,
            java.util.function.ToLongFunction<String> tokens) {
        if (input.isTextual()) {
            return tokens.applyAsLong(input.asText());
        }
        long total = 0;
        for (var item : input) {
            total += item.isTextual() ? tokens.applyAsLong(item.asText()) : item.isArray() ? item.size() : 1;
        }
        return total;
    }

    /** What an image, audio or file part of a message is counted as before the provider has counted it. */
    static final long MEDIA_PART = 765;
}
