package dev.tollgate.generation.feedback.api;

import java.time.Instant;
import java.util.UUID;

public record FeedbackView(UUID generationId, int rating, String comment, Instant updatedAt) {
}
