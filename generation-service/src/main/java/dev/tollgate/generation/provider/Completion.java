package dev.tollgate.generation.provider;

/**
 * A provider's answer, with the usage it reported.
 *
 * @param provider the configured provider that answered ({@code offline} for the built-in model)
 * @param model the model that answered, as the provider names it
 * @param finishReason OpenAI's wire value: {@code stop}, {@code length}, {@code content_filter}, ...
 */
public record Completion(String provider, String model, String content, String finishReason, long inputTokens,
        long outputTokens) {
}
