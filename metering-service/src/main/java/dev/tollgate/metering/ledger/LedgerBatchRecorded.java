package dev.tollgate.metering.ledger;

import java.util.Set;

/**
 * A CDI event fired after a batch of {@code usage.recorded} is in the ledger: the tenant periods it touched. The
 * ledger announces it and goes on; whoever reacts to new usage (the threshold check) observes it, so the ledger
 * depends on none of them.
 */
public record LedgerBatchRecorded(Set<TenantPeriod> periods) {
}
