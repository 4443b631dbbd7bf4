package dev.tollgate.gate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Units held for an admitted request until it is settled with what it really used, or expires.
 *
 * @param budgetKeys the API keys whose own counters count what the request used as well
 */
public record Reservation(String id, UUID tenantId, String period, Instant periodEnds, Map<String, Long> held,
        Instant expiresAt, List<UUID> budgetKeys) {

    public Reservation {
        held = Map.copyOf(held);
        budgetKeys = List.copyOf(budgetKeys);
    }

    public Reservation(String id, UUID tenantId, String period, Instant periodEnds, Map<String, Long> held,
            Instant expiresAt) {
        this(id, tenantId, period, periodEnds, held, expiresAt, List.of());
    }
}
