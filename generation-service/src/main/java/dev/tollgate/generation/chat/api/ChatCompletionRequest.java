package dev.tollgate.generation.chat.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * OpenAI's chat completion request, for the API document: the fields the gateway reads. Every other field (tools,
 * tool_choice, response_format, stop, seed, logprobs, user, metadata, ...) is passed on to an OpenAI-compatible
 * provider as sent, and a message's {@code content} may also be an array of parts.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
        String model,
        List<Message> messages,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        Double temperature,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions) {

    /** {@code include_usage}: a last chunk with the usage, as OpenAI sends it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, String content) {
    }
}
