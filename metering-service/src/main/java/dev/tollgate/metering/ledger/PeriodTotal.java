package dev.tollgate.metering.ledger;

import java.time.Instant;
import java.util.UUID;

/** A tenant's recorded units of a metric in a billing period, all its users together. */
public record PeriodTotal(UUID tenantId, Instant periodStart, String metric, long used) {
}
