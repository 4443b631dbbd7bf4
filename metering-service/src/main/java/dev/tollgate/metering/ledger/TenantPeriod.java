package dev.tollgate.metering.ledger;

import java.time.Instant;
import java.util.UUID;

/** One tenant's billing period, by its start. */
public record TenantPeriod(UUID tenantId, Instant periodStart) {
}
