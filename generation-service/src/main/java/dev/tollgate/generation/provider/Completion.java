package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.usage.Usage;

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

    /** The part of the input the provider read from its prompt cache ({@code prompt_tokens_details.cached_tokens}). */
    public long cachedInputTokens() {
        return usage == null ? 0
                : Math.max(0, Math.min(inputTokens, usage.path("prompt_tokens_details").path("cached_tokens")
                        .asLong(0)));
    }

    /**
     * The part of the input the provider wrote to its prompt cache (Anthropic's {@code cache_creation_input_tokens},
     * kept under that name in the usage), priced apart where the provider's price is set.
     */
    public long cacheWriteInputTokens() {
        return usage == null ? 0
                : Math.max(0, Math.min(inputTokens - cachedInputTokens(), usage.path("cache_creation_input_tokens")
                        .asLong(0)));
    }

    /**
     * What this answer used as a generation: one, its input and output tokens, the cached part of the input
     * ({@code cached_input_tokens}, for plans that price it apart) and {@code costMicros}.
     */
    public Usage usage(long costMicros) {
        return Usage.generation(inputTokens, cachedInputTokens(), outputTokens, costMicros);
    }
}
