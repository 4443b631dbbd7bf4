package dev.tollgate.gate;

import dev.tollgate.common.error.Problems;
import io.quarkiverse.resteasy.problem.HttpProblem;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a metered HTTP endpoint answers the gate's decisions: rate-limit headers on every answer (the IETF
 * {@code RateLimit-*} fields and the older {@code X-RateLimit-*} ones, of the tightest rule on requests), 429 with
 * {@code Retry-After} naming the rule for a rate limit, 402 naming the plan, the usage and where to upgrade for a
 * used-up quota (or the API key whose own budget is used up), and 503 with {@code Retry-After} when the gate's
 * policy refuses without Redis.
 */
public final class GateResponses {

    private GateResponses() {
    }

    /**
     * Headers for an admitted request, from its tightest rate rule: {@code RateLimit-Limit},
     * {@code RateLimit-Remaining}, {@code RateLimit-Reset} (seconds until the rule is full again),
     * {@code RateLimit-Policy} ({@code <limit>;w=<window seconds>}) and {@code X-RateLimit-Limit},
     * {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset} (Unix time). Empty when no rule applied.
     */
    public static Map<String, String> headers(GateDecision.Allowed allowed, Instant now) {
        GateDecision.RateStatus rate = allowed.rate();
        return rate == null ? Map.of() : headers(rate.rule(), rate.remaining(), rate.resetAfter(), now);
    }

    /**
     * The problem for a refusal.
     *
     * @param plan the tenant's plan, named in a 402
     * @param upgradeUrl where a 402 sends the user to change plans
     */
    public static HttpProblem refusal(GateDecision decision, String plan, String upgradeUrl, Instant now) {
        if (decision instanceof GateDecision.RateLimited limited) {
            RateRule rule = limited.rule();
            long wait = seconds(limited.retryAfter());
            String unit = rule.unit().label();
            HttpProblem.Builder problem = Problems.builder(Response.Status.TOO_MANY_REQUESTS, "rate-limited",
                    "Too Many Requests")
                    .withDetail(rule.neverFits()
                            ? "this request takes up to " + rule.cost() + " " + unit + ", more than the " + rule.name()
                                    + " limit of " + rule.limit() + " " + unit + " per " + window(rule)
                                    + " allows; ask for fewer (a lower max_tokens)"
                            : "the " + rule.name() + " limit of " + rule.limit() + " " + unit + " per " + window(rule)
                                    + " is reached; retry in " + wait + " s")
                    .with("limit", rule.name())
                    .with("unit", unit);
            if (!rule.neverFits()) {
                problem.withHeader("Retry-After", wait); // no wait admits a request larger than the whole allowance
            }
            if (rule.unit() == RateRule.Unit.REQUESTS) {
                headers(rule, 0, limited.retryAfter(), now).forEach(problem::withHeader);
            }
            return problem.build();
        }
        if (decision instanceof GateDecision.QuotaExceeded exceeded && exceeded.apiKeyId() != null) {
            // the tenant set this budget on the key: no upgrade of the plan lifts it
            return Problems.builder(Response.Status.PAYMENT_REQUIRED, "quota-exceeded", "Quota Exceeded")
                    .withDetail("the budget of API key " + exceeded.apiKeyId() + ", " + exceeded.limit() + " "
                            + exceeded.metric() + " for this billing period, does not cover this request ("
                            + exceeded.used() + " used); it resets at " + exceeded.resetsAt() + ", or the tenant can "
                            + "raise the key's budget")
                    .with("budget", "api-key")
                    .with("apiKeyId", exceeded.apiKeyId().toString())
                    .with("metric", exceeded.metric())
                    .with("used", exceeded.used())
                    .with("limit", exceeded.limit())
                    .with("resetsAt", exceeded.resetsAt().toString())
                    .build();
        }
        if (decision instanceof GateDecision.QuotaExceeded exceeded) {
            return Problems.builder(Response.Status.PAYMENT_REQUIRED, "quota-exceeded", "Quota Exceeded")
                    .withDetail("the " + plan + " plan's quota of " + exceeded.limit() + " " + exceeded.metric()
                            + " for this billing period does not cover this request (" + exceeded.used()
                            + " used); it resets at " + exceeded.resetsAt() + ", or upgrade at " + upgradeUrl)
                    .with("budget", "tenant")
                    .with("plan", plan)
                    .with("metric", exceeded.metric())
                    .with("used", exceeded.used())
                    .with("limit", exceeded.limit())
                    .with("resetsAt", exceeded.resetsAt().toString())
                    .with("upgradeUrl", upgradeUrl)
                    .build();
        }
        if (decision instanceof GateDecision.Unavailable unavailable) {
            return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "gate-unavailable", "Service Unavailable")
                    .withDetail(unavailable.reason())
                    .withHeader("Retry-After", 1)
                    .build();
        }
        throw new IllegalArgumentException("an admitted request is not refused: " + decision);
    }

    private static Map<String, String> headers(RateRule rule, long remaining, Duration reset, Instant now) {
        long resetSeconds = seconds(reset);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("RateLimit-Limit", String.valueOf(rule.limit()));
        headers.put("RateLimit-Remaining", String.valueOf(remaining));
        headers.put("RateLimit-Reset", String.valueOf(resetSeconds));
        headers.put("RateLimit-Policy", rule.limit() + ";w=" + rule.window().toSeconds());
        headers.put("X-RateLimit-Limit", String.valueOf(rule.limit()));
        headers.put("X-RateLimit-Remaining", String.valueOf(remaining));
        headers.put("X-RateLimit-Reset", String.valueOf(now.plusSeconds(resetSeconds).getEpochSecond()));
        return headers;
    }

    /** Whole seconds, rounded up so that a client that waits that long is admitted; at least one. */
    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    private static String window(RateRule rule) {
        long seconds = rule.window().toSeconds();
        return seconds == 1 ? "second" : seconds == 60 ? "minute" : seconds == 3600 ? "hour" : seconds + " s";
    }
}
