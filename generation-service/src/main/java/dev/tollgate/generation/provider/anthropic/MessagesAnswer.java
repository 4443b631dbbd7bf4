package dev.tollgate.generation.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.provider.MalformedAnswer;
import dev.tollgate.generation.provider.ProviderHttpError;
import java.util.Locale;

/**
 * Anthropic's answers in OpenAI's words: a message as a {@code chat.completion} (its text as the content, its
 * {@code tool_use} blocks as {@code tool_calls} with their input as the arguments' JSON), its stop reason as a
 * finish reason, its usage as OpenAI counts it (the prompt's tokens with those read from and written to the cache,
 * the read ones as {@code prompt_tokens_details.cached_tokens}, both also under Anthropic's own names), and its
 * errors in OpenAI's envelope.
 */
final class MessagesAnswer {

    static final ObjectMapper JSON = new ObjectMapper();

    private MessagesAnswer() {
    }

    /** {@code message}, a Messages API answer, as OpenAI's chat completion. */
    static ObjectNode completion(JsonNode message, String provider) {
        if (!message.isObject() || !message.path("content").isArray()) {
            throw new MalformedAnswer(provider + " answered 200 with no content");
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = JSON.createArrayNode();
        for (JsonNode block : message.get("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> calls.add(toolCall(block.path("id").asText(), block.path("name").asText(),
                        block.path("input").toString()));
                default -> {
                    // thinking and server tools' blocks: never asked for by the translated request
                }
            }
        }
        ObjectNode completion = JSON.createObjectNode()
                .put("id", message.path("id").asText())
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", message.path("model").asText());
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        ObjectNode answer = choice.putObject("message").put("role", "assistant");
        if (text.isEmpty() && !calls.isEmpty()) {
            answer.putNull("content");
        } else {
            answer.put("content", text.toString());
        }
        answer.putNull("refusal");
        if (!calls.isEmpty()) {
            answer.set("tool_calls", calls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(message.path("stop_reason").asText(null)));
        if (message.path("usage").isObject()) {
            completion.set("usage", usage(message.get("usage")));
        }
        return completion;
    }

    static ObjectNode toolCall(String id, String name, String arguments) {
        ObjectNode call = JSON.createObjectNode().put("id", id).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        return call;
    }

    /** Anthropic's stop reason as OpenAI's finish reason; null while there is none. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    /** Anthropic's usage as OpenAI's, the cache's figures kept under their own names as well. */
    static ObjectNode usage(JsonNode usage) {
        long input = usage.path("input_tokens").asLong(0);
        long written = usage.path("cache_creation_input_tokens").asLong(0);
        long read = usage.path("cache_read_input_tokens").asLong(0);
        long output = usage.path("output_tokens").asLong(0);
        ObjectNode result = JSON.createObjectNode()
                .put("prompt_tokens", input + written + read)
                .put("completion_tokens", output)
                .put("total_tokens", input + written + read + output);
        result.putObject("prompt_tokens_details").put("cached_tokens", read);
        result.put("cache_creation_input_tokens", written).put("cache_read_input_tokens", read);
        return result;
    }

    /**
     * Anthropic's error answer ({@code {"type": "error", "error": {"type", "message"}}}) in OpenAI's envelope, which
     * the gateway reads: a prompt that is too long has OpenAI's code for it, {@code context_length_exceeded}.
     */
    static String openAiError(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (!error.isObject()) {
                return body;
            }
            String message = error.path("message").asText("");
            ObjectNode converted = JSON.createObjectNode();
            ObjectNode inner = converted.putObject("error").put("message", message)
                    .put("type", error.path("type").asText("api_error"));
            if (message.toLowerCase(Locale.ROOT).startsWith("prompt is too long")) {
                inner.put("code", "context_length_exceeded");
            } else {
                inner.putNull("code");
            }
            inner.putNull("param");
            return converted.toString();
        } catch (java.io.IOException notJson) {
            return body;
        }
    }

    /**
     * The status that says what an error answer is about: Anthropic answers an account out of credit with 400
     * {@code invalid_request_error}, which is about Tollgate's account, not the caller's request, so it is read as
     * 402 (a provider misconfigured: counted against its breaker, its message kept from the caller).
     */
    static int ownAccount(int status, String body) {
        if (status != 400) {
            return status;
        }
        try {
            JsonNode error = JSON.readTree(body).path("error");
            // Anthropic's own words, at the start of its message: never a caller's text quoted later in it
            return "invalid_request_error".equals(error.path("type").asText())
                    && error.path("message").asText().startsWith("Your credit balance is too low") ? 402 : status;
        } catch (java.io.IOException notJson) {
            return status;
        }
    }

    /** An error Anthropic reports inside a stream ({@code event: error}), as the HTTP error it stands for. */
    static ProviderHttpError streamError(JsonNode error) {
        int status = switch (error.path("type").asText()) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "overloaded_error" -> 529;
            default -> 500;
        };
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.set("error", error);
        return new ProviderHttpError(status, openAiError(body.toString()));
    }
}
