package dev.tollgate.common.event;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Units were consumed. The event id is the idempotency key: metering counts it once, billing reports it to
 * Stripe once.
 *
 * @param quantities metric name to units, e.g. {@code generations=1, input_tokens=812, output_tokens=230,
 *                   cost_micros=1450}
 * @param model the model that answered, when the usage came from a generation
 * @param subjectId what was consumed, e.g. the generation id
 */
public record UsageRecorded(
        UUID eventId,
        Instant occurredAt,
        UUID tenantId,
        int schemaVersion,
        UUID userId,
        String source,
        String model,
        String subjectId,
        Map<String, Long> quantities) implements TollgateEvent {

    public static final int SCHEMA_VERSION = 1;
    public static final String GENERATIONS = "generations";
    public static final String INPUT_TOKENS = "input_tokens";
    public static final String OUTPUT_TOKENS = "output_tokens";
    public static final String COST_MICROS = "cost_micros";

    public UsageRecorded {
        quantities = Map.copyOf(quantities);
    }

    public static UsageRecorded of(UUID tenantId, UUID userId, String source, String model, String subjectId,
            Map<String, Long> quantities) {
        return new UsageRecorded(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, userId, source, model,
                subjectId, quantities);
    }
}
