package dev.tollgate.common.event;

import java.util.Map;
import java.util.Set;

/**
 * What a plan lets a tenant do: monthly quotas per metric, rate limits, allowed models, boolean features and
 * whether usage past a quota is billed as overage or refused.
 *
 * @param monthlyQuotas metric name ({@link UsageRecorded} metric) to units per billing period; absent = unlimited
 * @param allowedModels the models the plan may call; empty = any
 */
public record Entitlements(
        Map<String, Long> monthlyQuotas,
        RateLimits rateLimits,
        Set<String> allowedModels,
        Set<String> features,
        boolean overageAllowed) {

    public Entitlements {
        monthlyQuotas = Map.copyOf(monthlyQuotas);
        allowedModels = Set.copyOf(allowedModels);
        features = Set.copyOf(features);
    }

    /**
     * Requests per user per minute and per hour, per tenant per minute and per hour, and a user's per-second
     * burst. Zero means no such limit.
     */
    public record RateLimits(int userPerMinute, int userPerHour, int tenantPerMinute, int tenantPerHour,
            int burstPerSecond) {

        public RateLimits {
            if (userPerMinute < 0 || userPerHour < 0 || tenantPerMinute < 0 || tenantPerHour < 0 || burstPerSecond < 0) {
                throw new IllegalArgumentException("rate limits are counts of requests, zero or more");
            }
        }
    }
}
