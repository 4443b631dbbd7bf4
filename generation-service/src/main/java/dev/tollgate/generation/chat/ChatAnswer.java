package dev.tollgate.generation.chat;

import dev.tollgate.generation.provider.Completion;
import java.util.Map;
import java.util.UUID;

/** A completed chat: the generation's id, the provider's answer, and the gate's rate-limit headers. */
public record ChatAnswer(UUID generationId, Completion completion, Map<String, String> headers) {
}
