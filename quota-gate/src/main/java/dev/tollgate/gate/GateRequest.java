package dev.tollgate.gate;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.plan.BillingPeriod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One admission: who, which billing period, the worst-case units per metric with the period's limits, and the
 * rate limits that apply.
 *
 * @param period the billing period's id ({@link BillingPeriod#id()}); counters are kept per period
 * @param periodEnds when the period's quotas reset
 * @param amounts metric to worst-case units to hold, e.g. {@code input_tokens + max_tokens}
 * @param limits metric to the period's limit; a metric without a limit is counted, never refused
 * @param budgetKeys the API keys whose own budgets count this request ({@link #keyMetric})
 */
public record GateRequest(UUID tenantId, UUID userId, String period, Instant periodEnds, Map<String, Long> amounts,
        Map<String, Long> limits, List<RateRule> rates, List<UUID> budgetKeys) {

    /** How a key's own counters are named among the metrics: {@code key:<id>:<metric>}. */
    private static final String KEY_METRIC = "key:";

    public GateRequest {
        // in the order given: the script checks them in this order, and the first that refuses names itself
        amounts = Collections.unmodifiableMap(new LinkedHashMap<>(amounts));
        limits = Map.copyOf(limits);
        rates = List.copyOf(rates);
        budgetKeys = List.copyOf(budgetKeys);
    }

    public GateRequest(UUID tenantId, UUID userId, String period, Instant periodEnds, Map<String, Long> amounts,
            Map<String, Long> limits, List<RateRule> rates) {
        this(tenantId, userId, period, periodEnds, amounts, limits, rates, List.of());
    }

    /**
     * This admission under an API key's own controls as well: its monthly budget (metric to units in the tenant's
     * billing period, counted in the key's own counters beside the tenant's, whatever the plan says of overage),
     * its requests per minute and its tokens per minute ({@code tokens}: this request's worst case). The key's
     * limits are checked before those added earlier, so a refusal names the key's limit when both would refuse.
     *
     * @param rule how its rate rules are named: {@code key} ({@code key-minute}, {@code key-tokens-minute}), or
     *        {@code managing-key} for the controls of the key that created it
     * @param requestsPerMinute 0: none
     * @param tokensPerMinute 0: none
     */
    public GateRequest underKey(String rule, UUID keyId, Map<String, Long> budget, long requestsPerMinute,
            long tokensPerMinute, long tokens) {
        Map<String, Long> allAmounts = new LinkedHashMap<>();
        Map<String, Long> allLimits = new HashMap<>(limits);
        boolean budgeted = false;
        for (Map.Entry<String, Long> limit : budget.entrySet()) {
            String counter = keyMetric(keyId, limit.getKey());
            allAmounts.put(counter, amounts.getOrDefault(limit.getKey(), 0L));
            allLimits.put(counter, limit.getValue());
            budgeted = true;
        }
        allAmounts.putAll(amounts);
        List<RateRule> allRates = new ArrayList<>();
        String subject = "key:" + keyId;
        if (requestsPerMinute > 0) {
            allRates.add(new RateRule(rule + "-minute", subject, requestsPerMinute, Duration.ofMinutes(1)));
        }
        if (tokensPerMinute > 0) {
            allRates.add(RateRule.tokens(rule + "-tokens-minute", subject, tokensPerMinute, Duration.ofMinutes(1),
                    tokens));
        }
        allRates.addAll(rates);
        List<UUID> keys = new ArrayList<>(budgetKeys);
        if (budgeted && !keys.contains(keyId)) {
            keys.add(keyId);
        }
        return new GateRequest(tenantId, userId, period, periodEnds, allAmounts, allLimits, allRates, keys);
    }

    /** The counter of {@code keyId}'s own usage of {@code metric}, as it is named among the metrics. */
    public static String keyMetric(UUID keyId, String metric) {
        return KEY_METRIC + keyId + ":" + metric;
    }

    /** The key whose own counter {@code metric} names ({@link #keyMetric}), if it names one. */
    public static Optional<UUID> keyOf(String metric) {
        return metric.startsWith(KEY_METRIC) ? Optional.of(UUID.fromString(metric.substring(KEY_METRIC.length(),
                KEY_METRIC.length() + 36))) : Optional.empty();
    }

    /** The plan's metric a counter counts: {@code generations} for {@code key:<id>:generations} too. */
    public static String baseMetric(String metric) {
        return metric.startsWith(KEY_METRIC) ? metric.substring(KEY_METRIC.length() + 37) : metric;
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
