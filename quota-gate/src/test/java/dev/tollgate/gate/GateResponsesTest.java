package dev.tollgate.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkiverse.resteasy.problem.HttpProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GateResponsesTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final RateRule USER_MINUTE = new RateRule("user-minute", "user:u", 60, Duration.ofMinutes(1));

    @Test
    void anAdmittedRequestCarriesItsTightestRuleInBothHeaderStyles() {
        Reservation reservation = new Reservation("r", UUID.randomUUID(), "p", NOW, Map.of(), NOW);
        GateDecision.Allowed allowed = new GateDecision.Allowed(reservation, Map.of(), NOW,
                new GateDecision.RateStatus(USER_MINUTE, 57, Duration.ofMillis(3500)));

        Map<String, String> headers = GateResponses.headers(allowed, NOW);

        assertEquals("60", headers.get("RateLimit-Limit"));
        assertEquals("57", headers.get("RateLimit-Remaining"));
        assertEquals("4", headers.get("RateLimit-Reset"), "seconds, rounded up");
        assertEquals("60;w=60", headers.get("RateLimit-Policy"));
        assertEquals("60", headers.get("X-RateLimit-Limit"));
        assertEquals("57", headers.get("X-RateLimit-Remaining"));
        assertEquals(String.valueOf(NOW.getEpochSecond() + 4), headers.get("X-RateLimit-Reset"), "Unix time");
    }

    @Test
    void aRateLimitIs429WithRetryAfterAndNothingRemaining() {
        HttpProblem problem = GateResponses.refusal(new GateDecision.RateLimited(USER_MINUTE, Duration.ofMillis(1200)),
                "free", "/billing/checkout", NOW);

        assertEquals(429, problem.getStatusCode());
        assertEquals("https://tollgate.dev/problems/rate-limited", problem.getType().toString());
        assertEquals(2L, problem.getHeaders().get("Retry-After"));
        assertEquals("0", problem.getHeaders().get("RateLimit-Remaining"));
        assertEquals("user-minute", problem.getParameters().get("limit"));
        assertTrue(problem.getDetail().contains("60 requests per minute"), problem.getDetail());
    }

    @Test
    void aUsedUpQuotaIs402WithThePlanTheUsageAndTheWayToUpgrade() {
        Instant resets = Instant.parse("2026-12-01T00:00:00Z");
        HttpProblem problem = GateResponses.refusal(new GateDecision.QuotaExceeded("generations", 100, 100, resets),
                "free", "/billing/checkout", NOW);

        assertEquals(402, problem.getStatusCode());
        assertEquals("https://tollgate.dev/problems/quota-exceeded", problem.getType().toString());
        assertEquals("free", problem.getParameters().get("plan"));
        assertEquals("generations", problem.getParameters().get("metric"));
        assertEquals(100L, problem.getParameters().get("used"));
        assertEquals(100L, problem.getParameters().get("limit"));
        assertEquals(resets.toString(), problem.getParameters().get("resetsAt"));
        assertEquals("/billing/checkout", problem.getParameters().get("upgradeUrl"));
    }

    @Test
    void aKeysOwnBudgetIs402NamingTheKeyNotThePlan() {
        UUID key = UUID.randomUUID();
        Instant resets = Instant.parse("2026-12-01T00:00:00Z");
        HttpProblem problem = GateResponses.refusal(new GateDecision.QuotaExceeded("cost_micros", 4_990_000,
                5_000_000, resets, key), "pro", "/billing/checkout", NOW);

        assertEquals(402, problem.getStatusCode());
        assertEquals("api-key", problem.getParameters().get("budget"));
        assertEquals(key.toString(), problem.getParameters().get("apiKeyId"));
        assertEquals("cost_micros", problem.getParameters().get("metric"));
        assertEquals(null, problem.getParameters().get("upgradeUrl"), "no plan lifts a budget the tenant set");
        assertTrue(problem.getDetail().contains("the budget of API key " + key + ", 5000000 cost_micros"),
                problem.getDetail());
    }

    @Test
    void aTokensLimitIs429InTokensAndARequestLargerThanItSaysSo() {
        RateRule tokens = RateRule.tokens("key-tokens-minute", "key:k", 1000, Duration.ofMinutes(1), 400);
        HttpProblem problem = GateResponses.refusal(new GateDecision.RateLimited(tokens, Duration.ofMillis(6000)),
                "free", "/billing/checkout", NOW);
        assertEquals(429, problem.getStatusCode());
        assertEquals("tokens", problem.getParameters().get("unit"));
        assertEquals(6L, problem.getHeaders().get("Retry-After"));
        assertEquals(null, problem.getHeaders().get("RateLimit-Remaining"), "the headers count requests");
        assertTrue(problem.getDetail().contains("1000 tokens per minute is reached"), problem.getDetail());

        RateRule tooLarge = RateRule.tokens("key-tokens-minute", "key:k", 1000, Duration.ofMinutes(1), 4000);
        HttpProblem never = GateResponses.refusal(new GateDecision.RateLimited(tooLarge, Duration.ofMinutes(3)),
                "free", "/billing/checkout", NOW);
        assertTrue(never.getDetail().contains("takes up to 4000 tokens, more than the key-tokens-minute limit"),
                never.getDetail());
        assertEquals(null, never.getHeaders().get("Retry-After"), "no wait admits it");
    }

    @Test
    void aGateWithoutRedisIs503WithRetryAfter() {
        HttpProblem problem = GateResponses.refusal(new GateDecision.Unavailable("quotas cannot be checked"), "free",
                "/billing/checkout", NOW);
        assertEquals(503, problem.getStatusCode());
        assertEquals(1, problem.getHeaders().get("Retry-After"));
    }
}
