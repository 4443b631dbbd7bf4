package dev.tollgate.common.plan;

import dev.tollgate.common.event.Entitlements;
import java.time.Instant;
import java.util.UUID;

/**
 * What a tenant may do: its plan and entitlements, and the anchor its billing periods run from.
 *
 * @param freeTier true when no subscription was announced for the tenant and the free tier's defaults apply
 */
public record TenantPlan(UUID tenantId, String plan, String status, Instant anchor, Entitlements entitlements,
        boolean freeTier) {

    /** The billing period that holds {@code at}. */
    public BillingPeriod period(Instant at) {
        return BillingPeriod.containing(anchor, at);
    }
}
