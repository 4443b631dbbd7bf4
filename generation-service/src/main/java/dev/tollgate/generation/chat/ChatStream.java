package dev.tollgate.generation.chat;

import io.smallrye.mutiny.Multi;
import java.util.Map;
import java.util.UUID;

/**
 * A streamed chat whose first piece has arrived (or whose answer was empty): the generation's id, the model that
 * is answering, the events still to send, and the gate's rate-limit headers.
 */
public record ChatStream(UUID generationId, String providerModel, Multi<StreamEvent> events,
        Map<String, String> headers) {
}
