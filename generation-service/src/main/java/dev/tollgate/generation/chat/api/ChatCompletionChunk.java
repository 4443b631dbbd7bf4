package dev.tollgate.generation.chat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One event of a streamed chat completion, as OpenAI sends it ({@code chat.completion.chunk}). */
public record ChatCompletionChunk(String id, String object, long created, String model, List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL) ChatCompletionResponse.Usage usage) {

    public record Choice(int index, Delta delta, @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }

    /** The last event of a stream that broke off: OpenAI's clients raise it as an error. */
    public record Error(Body error) {

        public record Body(String message, String type, String code) {
        }
    }
}
