package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A provider's answer, with the usage it reported.
 *
 * @param provider the configured provider that answered ({@code offline} for the built-in model)
 * @param model the model that answered, as the provider names it
 * @param content the text of the first choice ("" when it only called tools)
 * @param finishReason OpenAI's wire value: {@code stop}, {@code length}, {@code tool_calls}, {@code content_filter}, ...
 * @param answer the provider's whole answer as it sent it (a whole answer only), or null
 * @param usage the provider's usage object as it sent it (token details included), or null
 */
public record Completion(String provider, String model, String content, String finishReason, long inputTokens,
        long outputTokens, ObjectNode answer, JsonNode usage) {

    public Completion(String provider, String model, String content, String finishReason, long inputTokens,
            long outputTokens) {
        this(provider, model, content, finishReason, inputTokens, outputTokens, null, null);
    }
}
