package dev.tollgate.gate;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The same GCRA as the Redis script, in this replica's memory, for while Redis cannot be reached. */
final class LocalRateLimiter {

    private static final int MAX_KEYS = 100_000;
    private final Map<String, Double> theoreticalArrivals = new ConcurrentHashMap<>();

    /** The first rule that refuses, with how long to wait; empty when every rule admits (and counts) the request. */
    synchronized Optional<GateDecision.RateLimited> admit(String scope, Iterable<RateRule> rules, long now) {
        if (theoreticalArrivals.size() > MAX_KEYS) {
            theoreticalArrivals.entrySet().removeIf(entry -> entry.getValue() < now);
        }
        Map<String, Double> next = new java.util.HashMap<>();
        for (RateRule rule : rules) {
            String key = scope + ":" + rule.bucket();
            double tat = Math.max(theoreticalArrivals.getOrDefault(key, (double) now), now);
            double admitAt = tat + rule.cost() * rule.intervalMillis() - rule.window().toMillis();
            if (now + 0.01 < admitAt) { // as the Redis script: fractional intervals add up with rounding
                return Optional.of(new GateDecision.RateLimited(rule, Duration.ofMillis((long) Math.ceil(admitAt - now))));
            }
            next.put(key, tat + rule.cost() * rule.intervalMillis());
        }
        theoreticalArrivals.putAll(next);
        return Optional.empty();
    }
}
