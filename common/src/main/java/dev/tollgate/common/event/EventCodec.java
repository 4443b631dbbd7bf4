package dev.tollgate.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

/** JSON for event payloads. Unknown fields are ignored so that producers can add fields first. */
@ApplicationScoped
public class EventCodec {

    private final ObjectMapper mapper;

    public EventCodec(ObjectMapper mapper) {
        this.mapper = mapper.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public String encode(TollgateEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /** Decodes a payload; a payload that is not this event fails with {@link UnreadableEventException}. */
    public <E extends TollgateEvent> E decode(String json, EventType<E> type) {
        try {
            E event = mapper.readValue(json, type.recordClass());
            if (event == null || event.eventId() == null || event.tenantId() == null) {
                throw new UnreadableEventException(type, "eventId and tenantId are required");
            }
            return event;
        } catch (JsonProcessingException e) {
            throw new UnreadableEventException(type, e.getOriginalMessage());
        }
    }

    /** A record on a topic that cannot be read as its event; it goes to the dead-letter topic. */
    public static class UnreadableEventException extends RuntimeException {
        public UnreadableEventException(EventType<?> type, String reason) {
            super("unreadable " + type.topic() + " event: " + reason);
        }
    }
}
