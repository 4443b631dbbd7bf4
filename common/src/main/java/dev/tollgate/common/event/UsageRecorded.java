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
 * @param apiKeyId the API key the call was made with (schema version 2); null for a session's call, and in
 *        version 1 events
 * @param endUser the caller's own customer the call was made for, as the request named it (OpenAI's {@code user}
 *        field; schema version 2), at most {@value #LONGEST_END_USER} characters; null when it named none
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
        Map<String, Long> quantities,
        UUID apiKeyId,
        String endUser) implements TollgateEvent {

    /** 2 added {@code apiKeyId} and {@code endUser}; a version 1 event reads with both null. */
    public static final int SCHEMA_VERSION = 2;
    /** The longest end user kept; a longer one is cut. */
    public static final int LONGEST_END_USER = 256;
    public static final String GENERATIONS = "generations";
    public static final String INPUT_TOKENS = "input_tokens";
    public static final String OUTPUT_TOKENS = "output_tokens";
    public static final String COST_MICROS = "cost_micros";
    /**
     * The part of {@code input_tokens} a provider read from its prompt cache (and charges less for), for plans that
     * price it apart; present only when a provider reported some.
     */
    public static final String CACHED_INPUT_TOKENS = "cached_input_tokens";

    public UsageRecorded {
        quantities = Map.copyOf(quantities);
        // a caller's own text: no control character (PostgreSQL refuses NUL in text; a line break misleads logs)
        endUser = endUser == null ? null : endUser.replaceAll("\\p{Cntrl}", "").strip();
        endUser = endUser == null || endUser.isEmpty() ? null
                : endUser.length() > LONGEST_END_USER ? endUser.substring(0, LONGEST_END_USER) : endUser;
    }

    /** Usage of no API key and no end user. */
    public UsageRecorded(UUID eventId, Instant occurredAt, UUID tenantId, int schemaVersion, UUID userId, String source,
            String model, String subjectId, Map<String, Long> quantities) {
        this(eventId, occurredAt, tenantId, schemaVersion, userId, source, model, subjectId, quantities, null, null);
    }

    public static UsageRecorded of(UUID tenantId, UUID userId, String source, String model, String subjectId,
            Map<String, Long> quantities) {
        return new UsageRecorded(UUID.randomUUID(), Instant.now(), tenantId, SCHEMA_VERSION, userId, source, model,
                subjectId, quantities);
    }
}
