package dev.tollgate.generation.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatChunk;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.MalformedAnswer;
import dev.tollgate.generation.provider.ProviderHttp;
import dev.tollgate.generation.provider.StreamInterrupted;
import dev.tollgate.generation.provider.Tokens;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One streamed Messages answer read as OpenAI's chunks: {@code message_start} gives the id, the model and the
 * prompt's usage; each {@code text_delta} is a chunk with that text; a {@code tool_use} block is a tool call (its
 * id and name first, then its {@code input_json_delta} pieces as the arguments); {@code message_delta} is the chunk
 * with the finish reason and brings the output's usage; {@code message_stop} is the end. The role goes out with the
 * first chunk, so an {@code error} event before any content (Anthropic's overload) is a failure that may still be
 * retried or fall back, as the HTTP status it stands for.
 */
final class MessagesStream implements ProviderHttp.Events {

    private final String provider;
    private final String modelName;
    private final ChatCall call;
    private final long created = System.currentTimeMillis() / 1000;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder generated = new StringBuilder();
    /** Anthropic's content block index to OpenAI's tool call index. */
    private final Map<Integer, Integer> toolCalls = new HashMap<>();
    /** The tool calls (by block index) whose arguments have had a piece. */
    private final java.util.Set<Integer> withArguments = new java.util.HashSet<>();
    private final Runnable usageMissing;
    private String id = "";
    private String model;
    private boolean roleSent;
    private String finishReason;
    /** Anthropic's figures so far, as it names them. */
    private ObjectNode usage;
    /** The same in OpenAI's form, handed on with each piece (what a stream that breaks is billed for). */
    private ObjectNode reported;

    /** @param usageMissing told when the stream ends without Anthropic's count of the prompt */
    MessagesStream(String provider, String modelName, ChatCall call, Runnable usageMissing) {
        this.provider = provider;
        this.modelName = modelName;
        this.call = call;
        this.usageMissing = usageMissing;
    }

    @Override
    public ChatChunk read(String data) throws IOException {
        JsonNode event = MessagesAnswer.JSON.readTree(data);
        if (event == null || !event.isObject()) {
            throw new MalformedAnswer("an event of " + provider + "'s stream is not a JSON object");
        }
        return switch (event.path("type").asText()) {
            case "message_start" -> started(event.path("message"));
            case "content_block_start" -> blockStarted(event.path("index").asInt(), event.path("content_block"));
            case "content_block_delta" -> delta(event.path("index").asInt(), event.path("delta"));
            case "content_block_stop" -> blockStopped(event.path("index").asInt());
            case "message_delta" -> finished(event);
            case "message_stop" -> closed();
            case "error" -> throw MessagesAnswer.streamError(event.path("error"));
            default -> null; // ping, and events added later
        };
    }

    private ChatChunk started(JsonNode message) {
        id = message.path("id").asText("");
        model = message.path("model").asText(null);
        count(message.path("usage"));
        return null;
    }

    /**
     * Anthropic's figures, each the whole answer's so far ({@code message_delta} brings the output's, and the
     * input's on newer models): the larger of what was said before and now, so that a figure left out or sent as 0
     * later never lowers what is billed.
     */
    private void count(JsonNode figures) {
        if (!figures.isObject()) {
            return;
        }
        if (usage == null) {
            usage = MessagesAnswer.JSON.createObjectNode();
        }
        figures.fields().forEachRemaining(figure -> {
            if (figure.getValue().isNumber()) {
                usage.put(figure.getKey(), Math.max(usage.path(figure.getKey()).asLong(0),
                        figure.getValue().asLong()));
            }
        });
        reported = usage.has("input_tokens") ? MessagesAnswer.usage(usage) : null;
    }

    private ChatChunk blockStarted(int index, JsonNode block) {
        if (!"tool_use".equals(block.path("type").asText())) {
            return null; // a text block's text comes in its deltas
        }
        int ordinal = toolCalls.size();
        toolCalls.put(index, ordinal);
        ObjectNode call = MessagesAnswer.toolCall(block.path("id").asText(), block.path("name").asText(), "");
        call.put("index", ordinal);
        ObjectNode delta = MessagesAnswer.JSON.createObjectNode();
        delta.putArray("tool_calls").add(call);
        return piece(block.path("name").asText(), delta, null);
    }

    private ChatChunk delta(int index, JsonNode delta) {
        switch (delta.path("type").asText()) {
            case "text_delta" -> {
                String text = delta.path("text").asText();
                content.append(text);
                return piece(text, MessagesAnswer.JSON.createObjectNode().put("content", text), null);
            }
            case "input_json_delta" -> {
                if (!toolCalls.containsKey(index)) {
                    throw new MalformedAnswer(provider + " streamed tool input for a block that is not a tool call");
                }
                String json = delta.path("partial_json").asText();
                if (json.isEmpty()) {
                    return null;
                }
                withArguments.add(index);
                return arguments(index, json);
            }
            default -> {
                return null; // thinking and citations: never asked for by the translated request
            }
        }
    }

    /** A tool call that ended without a piece of its arguments has none: "{}", as a whole answer gives it. */
    private ChatChunk blockStopped(int index) {
        return toolCalls.containsKey(index) && withArguments.add(index) ? arguments(index, "{}") : null;
    }

    private ChatChunk arguments(int index, String json) {
        ObjectNode call = MessagesAnswer.JSON.createObjectNode().put("index", toolCalls.get(index));
        call.putObject("function").put("arguments", json);
        ObjectNode openAi = MessagesAnswer.JSON.createObjectNode();
        openAi.putArray("tool_calls").add(call);
        return piece(json, openAi, null);
    }

    private ChatChunk finished(JsonNode event) {
        finishReason = MessagesAnswer.finishReason(event.path("delta").path("stop_reason").asText(null));
        count(event.path("usage"));
        return finishReason == null ? null : piece("", MessagesAnswer.JSON.createObjectNode(), finishReason);
    }

    /** The end: the answer with Anthropic's counts, once a stop reason came; a failure otherwise. */
    @Override
    public ChatChunk.Done closed() {
        if (finishReason == null) {
            throw new StreamInterrupted(provider + " ended the stream without a stop reason", null);
        }
        if (reported == null || !usage.has("output_tokens")) {
            usageMissing.run();
        }
        long input = reported != null ? reported.get("prompt_tokens").asLong() : Tokens.count(call);
        long output = usage != null && usage.has("output_tokens") ? usage.get("output_tokens").asLong()
                : Tokens.count(generated.toString());
        ObjectNode counted = reported == null ? null : reported.deepCopy(); // the pieces' own stays as it was sent
        if (counted != null) {
            counted.put("completion_tokens", output).put("total_tokens", input + output);
        }
        return new ChatChunk.Done(new Completion(provider, model == null ? modelName : model, content.toString(),
                finishReason, input, output, null, counted));
    }

    /** OpenAI's chunk with {@code delta} and {@code finish}; the role with the first one. */
    private ChatChunk.Text piece(String text, ObjectNode delta, String finish) {
        generated.append(text);
        if (!roleSent) {
            delta.put("role", "assistant");
            roleSent = true;
        }
        ObjectNode chunk = MessagesAnswer.JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", created).put("model", model == null ? modelName : model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return new ChatChunk.Text(text, chunk, reported);
    }
}
