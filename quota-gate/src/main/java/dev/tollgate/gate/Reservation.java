package dev.tollgate.gate;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Units held for an admitted request until it is settled with what it really used, or expires. */
public record Reservation(String id, UUID tenantId, String period, Instant periodEnds, Map<String, Long> held,
        Instant expiresAt) {

    public Reservation {
        held = Map.copyOf(held);
    }
}
