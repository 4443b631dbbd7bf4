package dev.tollgate.common.event;

import java.time.Instant;
import java.util.UUID;

/**
 * What every event on Tollgate's topics carries. Contracts change additively; a breaking change gets a new
 * topic version. The Kafka key is the tenant id, so a tenant's events stay in order.
 */
public interface TollgateEvent {

    /** Unique per event; consumers apply an event id at most once. */
    UUID eventId();

    Instant occurredAt();

    UUID tenantId();

    int schemaVersion();
}
