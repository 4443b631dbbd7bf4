package dev.tollgate.gate.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Counts attempts per key in fixed windows in Redis, shared by every replica: one round trip (a Lua script
 * that increments, sets the window's expiry on the first hit and reads what is left of it). For abuse limits
 * such as sign-in requests per address. While Redis is unreachable the same windows are counted in this
 * replica's memory ({@code LocalWindows}), so a limit still holds during an outage (per replica), and that is
 * counted in {@code tollgate_ratelimit_unavailable_total}: an outage neither locks users out nor opens the door to a
 * flood.
 */
@ApplicationScoped
public class WindowLimiter {

    private static final Logger LOG = Logger.getLogger(WindowLimiter.class);
    private static final String SCRIPT = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
            return {n, ttl}
            """;
    /** The same window, counting distinct members (a set), kept to at most one past the limit. */
    private static final String DISTINCT = """
            if redis.call('SCARD', KEYS[1]) <= tonumber(ARGV[3]) then redis.call('SADD', KEYS[1], ARGV[2]) end
            local n = redis.call('SCARD', KEYS[1])
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
            return {n, ttl}
            """;

    private final ReactiveRedisDataSource redis;
    private final MeterRegistry registry;
    private final LocalWindows local = new LocalWindows();

    public WindowLimiter(ReactiveRedisDataSource redis, MeterRegistry registry) {
        this.redis = redis;
        this.registry = registry;
    }

    /** Counts one attempt on {@code key} and says whether it is within {@code limit} per {@code window}. */
    public Uni<Decision> hit(String key, int limit, Duration window) {
        return decide(key, limit, window,
                redis.execute("EVAL", SCRIPT, "1", "tollgate:limit:" + key, String.valueOf(window.toMillis())),
                () -> local.hit(key, window, System.currentTimeMillis()));
    }

    /**
     * Counts {@code member} on {@code key} once per window, however often it comes, and says whether the distinct
     * members are within {@code limit} per {@code window}: for limits on how many different things a client tries
     * (unknown API keys), where trying the same one again is not another attempt.
     */
    public Uni<Decision> hitDistinct(String key, String member, int limit, Duration window) {
        return decide(key, limit, window, redis.execute("EVAL", DISTINCT, "1", "tollgate:limit:" + key,
                String.valueOf(window.toMillis()), member, String.valueOf(limit)),
                () -> local.hitDistinct(key, member, limit, window, System.currentTimeMillis()));
    }

    private Uni<Decision> decide(String key, int limit, Duration window, Uni<io.vertx.mutiny.redis.client.Response> answer,
            java.util.function.Supplier<LocalWindows.Count> locally) {
        return answer
                .map(response -> decision(limit, response.get(0).toLong(), response.get(1).toLong()))
                .onFailure().recoverWithItem(e -> {
                    registry.counter("tollgate.ratelimit.unavailable", "limit", family(key)).increment();
                    LOG.warnf("rate limit %s counted in this replica's memory: Redis is unreachable (%s)", family(key),
                            e.getMessage());
                    LocalWindows.Count count = locally.get();
                    return decision(limit, count.attempts(), count.resetMillis());
                })
                .invoke(decision -> registry.counter("tollgate.ratelimit.decisions",
                        "limit", family(key), "outcome", decision.allowed() ? "allowed" : "limited").increment());
    }

    private static Decision decision(int limit, long count, long resetMillis) {
        return new Decision(count <= limit, limit, Math.max(0, limit - count), Duration.ofMillis(Math.max(0,
                resetMillis)));
    }

    private static String family(String key) {
        int colon = key.indexOf(':');
        return colon < 0 ? key : key.substring(0, colon);
    }

    /** The outcome of one attempt; {@code reset} is how long until the window starts over. */
    public record Decision(boolean allowed, int limit, long remaining, Duration reset) {

        /** Whole seconds to wait, at least one, for a {@code Retry-After} header. */
        public long retryAfterSeconds() {
            return Math.max(1, (reset.toMillis() + 999) / 1000);
        }
    }
}
