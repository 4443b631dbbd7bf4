package dev.tollgate.generation.history.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * One generation as its user sees it in their history: a chat completion, or a prompt-template run with its
 * input and checked {@code result}.
 *
 * @param status completed; interrupted (a stream that broke off); for template runs also running, retrying,
 *        invalid-output, failed
 * @param costMicros what the providers charged, in millionths of a US dollar
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationView(UUID id, Instant createdAt, String status, String template, String model,
        String provider, String providerModel, JsonNode messages, JsonNode input, String output,
        JsonNode result, String error, String finishReason, long inputTokens,
        long outputTokens, long costMicros, Integer rating) {
}
