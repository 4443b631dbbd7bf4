package dev.tollgate.generation.chat.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * OpenAI's chat completion answer. {@code model} is the model that answered (e.g. {@code offline}); {@code provider},
 * which OpenAI clients ignore, the configured provider that served it.
 */
public record ChatCompletionResponse(String id, String object, long created, String model, List<Choice> choices,
        Usage usage, String provider) {

    public record Choice(int index, Message message, @JsonProperty("finish_reason") String finishReason) {
    }

    public record Message(String role, String content) {
    }

    public record Usage(@JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("total_tokens") long totalTokens) {
    }
}
