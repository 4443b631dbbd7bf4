package dev.tollgate.generation.history.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** One generation as its user sees it in their history. */
public record GenerationView(UUID id, Instant createdAt, String model, String provider, String providerModel,
                             JsonNode messages, String output, String finishReason, long inputTokens,
                             long outputTokens, Integer rating) {
}
