package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One chat completion to ask a provider for.
 *
 * @param messages role and content, in order
 * @param maxTokens the most output tokens the caller accepts (and the gate held)
 * @param outputSchema the JSON Schema the answer must match (asked for in JSON mode), or null for free text
 */
public record ChatCall(List<Message> messages, int maxTokens, Double temperature, JsonNode outputSchema) {

    public ChatCall(List<Message> messages, int maxTokens, Double temperature) {
        this(messages, maxTokens, temperature, null);
    }

    public record Message(String role, String content) {
    }

    /** The same call with {@code more} messages after these. */
    public ChatCall followedBy(List<Message> more) {
        List<Message> all = new java.util.ArrayList<>(messages);
        all.addAll(more);
        return new ChatCall(List.copyOf(all), maxTokens, temperature, outputSchema);
    }
}
