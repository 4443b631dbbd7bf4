package dev.tollgate.metering.usage.api;

import dev.tollgate.common.event.Entitlements;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** What the tenant's plan lets it do, and the billing period the quotas count in. */
public record LimitsView(UUID tenantId, String plan, String status, boolean freeTier, Instant periodStart,
        Instant periodEnd, Map<String, Long> monthlyQuotas, Entitlements.RateLimits rateLimits,
        Set<String> allowedModels, Set<String> features, boolean overageAllowed) {
}
