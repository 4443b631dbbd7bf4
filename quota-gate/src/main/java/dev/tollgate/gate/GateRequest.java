package dev.tollgate.gate;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.plan.BillingPeriod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One admission: who, which billing period, the worst-case units per metric with the period's limits, and the
 * rate limits that apply.
 *
 * @param period the billing period's id ({@link BillingPeriod#id()}); counters are kept per period
 * @param periodEnds when the period's quotas reset
 * @param amounts metric to worst-case units to hold, e.g. {@code input_tokens + max_tokens}
 * @param limits metric to the period's limit; a metric without a limit is counted, never refused
 */
public record GateRequest(UUID tenantId, UUID userId, String period, Instant periodEnds, Map<String, Long> amounts,
        Map<String, Long> limits, List<RateRule> rates) {

    public GateRequest {
        amounts = Map.copyOf(amounts);
        limits = Map.copyOf(limits);
        rates = List.copyOf(rates);
    }

    /**
     * The admission a plan's entitlements call for: its monthly quotas as limits (none when the plan bills
     * overage instead of refusing), and its rate limits for the user and for the tenant as a whole.
     *
     * @param userId the caller, or null for usage that belongs to no user (then only the tenant's limits apply)
     */
    public static GateRequest forPlan(UUID tenantId, UUID userId, BillingPeriod period, Entitlements plan,
            Map<String, Long> amounts) {
        Map<String, Long> limits = plan.overageAllowed() ? Map.of() : plan.monthlyQuotas();
        return new GateRequest(tenantId, userId, period.id(), period.end(), amounts, limits,
                rateRules(userId, plan.rateLimits()));
    }

    /** The rules of {@code limits} that are set (non-zero), the user's first. */
    public static List<RateRule> rateRules(UUID userId, Entitlements.RateLimits limits) {
        List<RateRule> rules = new ArrayList<>();
        if (userId != null) {
            String user = "user:" + userId;
            add(rules, "user-second", user, limits.burstPerSecond(), Duration.ofSeconds(1));
            add(rules, "user-minute", user, limits.userPerMinute(), Duration.ofMinutes(1));
            add(rules, "user-hour", user, limits.userPerHour(), Duration.ofHours(1));
        }
        add(rules, "tenant-minute", "tenant", limits.tenantPerMinute(), Duration.ofMinutes(1));
        add(rules, "tenant-hour", "tenant", limits.tenantPerHour(), Duration.ofHours(1));
        return rules;
    }

    private static void add(List<RateRule> rules, String name, String subject, int limit, Duration window) {
        if (limit > 0) {
            rules.add(new RateRule(name, subject, limit, window));
        }
    }
}
