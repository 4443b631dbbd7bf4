package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One chat completion to ask a provider for.
 *
 * @param messages role and text, in order: what the built-in model reads and what estimates count (content parts
 *        as their text)
 * @param maxTokens the most output tokens the caller accepts for each choice (and the gate held)
 * @param outputSchema the JSON Schema the answer must match (asked for in JSON mode), or null for free text
 * @param document the caller's own OpenAI request, every field as sent, which an OpenAI-compatible provider receives
 *        (its model, token limit and stream fields set by the gateway); null for a call the gateway composed
 * @param choices how many answers the caller asked for ({@code n})
 */
public record ChatCall(List<Message> messages, int maxTokens, Double temperature, JsonNode outputSchema,
        ObjectNode document, int choices) {

    public ChatCall(List<Message> messages, int maxTokens, Double temperature) {
        this(messages, maxTokens, temperature, null, null, 1);
    }

    public ChatCall(List<Message> messages, int maxTokens, Double temperature, JsonNode outputSchema) {
        this(messages, maxTokens, temperature, outputSchema, null, 1);
    }

    public record Message(String role, String content) {
    }

    /** The same call with {@code more} messages after these. */
    public ChatCall followedBy(List<Message> more) {
        List<Message> all = new java.util.ArrayList<>(messages);
        all.addAll(more);
        return new ChatCall(List.copyOf(all), maxTokens, temperature, outputSchema, null, choices);
    }
}
