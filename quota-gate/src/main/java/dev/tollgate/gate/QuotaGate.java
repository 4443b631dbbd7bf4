package dev.tollgate.gate;

import dev.tollgate.common.trace.Spans;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The quota gate: in one Redis round trip it applies the rate limits and holds the worst-case units of every
 * metric, atomically across any number of replicas; {@link #settle} then keeps what was really used and gives
 * the rest back. Units held by a caller that never settles are given back after the reservation's TTL. While
 * Redis cannot be reached it follows {@link GateConfig.WhenRedisUnavailable}.
 */
@ApplicationScoped
public class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class);
    private static final Script RESERVE = Script.load("reserve.lua");
    private static final Script SETTLE = Script.load("settle.lua");
    private static final Script RECONCILE = Script.load("reconcile.lua");
    private static final Script EXTEND = Script.load("extend.lua");
    /**
     * Written by metering-service once it has rebuilt every counter from the ledger in a Redis that lost them (or
     * first saw). A tenant's counters are trusted in a Redis that holds no marker of them ({@code tg:{tenant}:known},
     * lost with everything else) only once this is there; until then quota decisions follow the policy for an
     * unreachable Redis.
     */
    public static final String EPOCH_KEY = "tg:epoch";
    /** How often the gate says at most that it refuses quota decisions for want of rebuilt counters. */
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private static final String TRACER = "tollgate-quota-gate";
    private static final AttributeKey<String> TENANT = AttributeKey.stringKey("tollgate.tenant.id");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("tollgate.gate.outcome");

    private final ReactiveRedisDataSource redis;
    private final Tracer tracer;
    private final Vertx vertx;
    private final GateConfig config;
    private final MeterRegistry registry;
    private final LocalRateLimiter local = new LocalRateLimiter();
    private final AtomicLong inFlight = new AtomicLong();
    private final Timer latency;
    private final Counter allowed;
    private final Counter rateLimited;
    private final Counter quotaExceeded;
    private final Counter unavailable;
    private final Counter settled;
    private final Counter repeated;
    private volatile long lastUnrebuiltWarning;
    private final Counter unrebuilt;
    /** Each held reservation's keep-alive timer, by reservation id. */
    private final Map<String, Long> keptAlive = new ConcurrentHashMap<>();

    /** A gate that traces nothing (benchmarks, tests). */
    public QuotaGate(ReactiveRedisDataSource redis, Vertx vertx, GateConfig config, MeterRegistry registry) {
        this(redis, vertx, config, registry, OpenTelemetry.noop().getTracer(TRACER));
    }

    @Inject
    public QuotaGate(ReactiveRedisDataSource redis, Vertx vertx, GateConfig config, MeterRegistry registry,
            Tracer tracer) {
        this.redis = redis;
        this.tracer = tracer;
        this.vertx = vertx;
        this.config = config;
        this.registry = registry;
        this.latency = Timer.builder("tollgate.gate.latency").description("One gate round trip to Redis")
                .publishPercentiles(0.5, 0.99).register(registry);
        registry.gauge("tollgate.gate.reservations.in.flight", inFlight);
        // registered once: the hot path only increments
        this.allowed = registry.counter("tollgate.gate.decisions", "outcome", "allowed");
        this.rateLimited = registry.counter("tollgate.gate.decisions", "outcome", "rate-limited");
        this.quotaExceeded = registry.counter("tollgate.gate.decisions", "outcome", "quota-exceeded");
        this.unavailable = registry.counter("tollgate.gate.decisions", "outcome", "unavailable");
        this.settled = registry.counter("tollgate.gate.settlements", "outcome", "settled");
        this.repeated = registry.counter("tollgate.gate.settlements", "outcome", "repeat");
        this.unrebuilt = registry.counter("tollgate.gate.counters.unrebuilt");
    }

    public Uni<GateDecision> reserve(GateRequest request) {
        return Spans.around(() -> tracer.spanBuilder("quota gate reserve")
                .setAttribute(TENANT, request.tenantId().toString()),
                // where metering-service rebuilds the counters, a tenant's counters are trusted once its epoch was seen
                span -> reserveInRedis(request, !config.awaitCounterRebuild()).invoke(decision -> {
                    count(decision);
                    span.setAttribute(OUTCOME, outcome(decision));
                }));
    }

    /**
     * The tenant's counters are not known to this Redis (it restarted empty, was flushed, or the tenant is new
     * here): they are trusted, and the tenant marked, only once metering-service's epoch says the counters were
     * rebuilt from the ledger; until then quota decisions follow the policy for an unreachable Redis.
     */
    private Uni<GateDecision> unknownCounters(GateRequest request) {
        return countersRebuilt().chain(rebuilt -> {
            if (rebuilt || config.whenRedisUnavailable().quota() == GateConfig.Policy.ADMIT) {
                return reserveInRedis(request, true);
            }
            unrebuilt.increment();
            long now = System.nanoTime();
            if (now - lastUnrebuiltWarning > WARN_EVERY_NANOS) {
                lastUnrebuiltWarning = now;
                LOG.warnf("quota gate: Redis holds no %s: its counters are not rebuilt from the ledger (Redis came "
                        + "back empty, or metering-service has not started); quota decisions are refused until "
                        + "metering-service has rebuilt them", EPOCH_KEY);
            }
            return Uni.createFrom().item((GateDecision) new GateDecision.Unavailable(
                    "quotas cannot be checked until metering-service has rebuilt Redis's counters from the ledger"));
        }).onFailure().recoverWithItem(e -> withoutRedis(request, UUID.randomUUID().toString(), e));
    }

    /** Whether metering-service has rebuilt the counters in this Redis (its epoch is there); fails when Redis does. */
    private Uni<Boolean> countersRebuilt() {
        return withTimeout(redis.execute("GET", EPOCH_KEY)).map(epoch -> epoch != null);
    }

    private Uni<GateDecision> reserveInRedis(GateRequest request, boolean mark) {
        String id = UUID.randomUUID().toString();
        Keys keys = new Keys(request.tenantId());
        List<String> metrics = new ArrayList<>(request.amounts().keySet());
        List<String> keyList = new ArrayList<>();
        keyList.add(keys.reservations());
        keyList.add(keys.reservation(id));
        keyList.add(keys.known());
        metrics.forEach(metric -> keyList.add(keys.counter(request.period(), metric)));
        request.rates().forEach(rule -> keyList.add(keys.rate(rule)));

        List<String> args = new ArrayList<>(List.of(String.valueOf(config.reservationTtl().toMillis()), id,
                String.valueOf(request.periodEnds().plus(config.counterRetention()).toEpochMilli()),
                String.valueOf(metrics.size()), String.valueOf(request.rates().size()), mark ? "1" : "0"));
        for (String metric : metrics) {
            args.add(String.valueOf(request.amounts().get(metric)));
            args.add(String.valueOf(request.limits().getOrDefault(metric, -1L)));
        }
        for (RateRule rule : request.rates()) {
            args.add(String.valueOf(rule.window().toMillis()));
            args.add(String.valueOf(rule.intervalMillis()));
            args.add(String.valueOf(rule.cost()));
        }
        long started = System.nanoTime();
        return eval(RESERVE, keyList, args)
                .invoke(() -> latency.record(Duration.ofNanos(System.nanoTime() - started)))
                .onItemOrFailure().transformToUni((response, failure) -> failure != null
                        ? Uni.createFrom().item(withoutRedis(request, id, failure))
                        : response.get(0).toLong() == 4L ? unknownCounters(request)
                                : Uni.createFrom().item(decide(response, request, id, metrics)));
    }

    /**
     * Keeps {@code actual} units of the reservation and gives the rest back (in the counters of the key whose
     * budget it counts as well). Settling twice counts once; a reservation that already expired counts its actual
     * units in full. Answers false for a repeat.
     */
    public Uni<Boolean> settle(Reservation reservation, Map<String, Long> actual) {
        return Spans.around(() -> tracer.spanBuilder("quota gate settle")
                .setAttribute(TENANT, reservation.tenantId().toString()),
                span -> settleInRedis(reservation, actual)
                        .invoke(first -> span.setAttribute(OUTCOME, first ? "settled" : "repeat")));
    }

    private Uni<Boolean> settleInRedis(Reservation reservation, Map<String, Long> actual) {
        stopKeepingAlive(reservation.id());
        Keys keys = new Keys(reservation.tenantId());
        List<String> keyList = new ArrayList<>(List.of(keys.reservations(), keys.reservation(reservation.id()),
                keys.settled(reservation.id())));
        List<String> args = new ArrayList<>(List.of(reservation.id(),
                String.valueOf(config.reservationTtl().multipliedBy(10).toMillis()),
                String.valueOf(reservation.periodEnds().plus(config.counterRetention()).toEpochMilli())));
        Map<String, Long> all = new LinkedHashMap<>(actual);
        // the keys' own counters count what was used as the tenant's do
        reservation.budgetKeys().forEach(key -> actual.forEach((metric, units) -> all.put(GateRequest.keyMetric(key,
                metric), units)));
        reservation.held().keySet().forEach(metric -> all.putIfAbsent(metric, 0L));
        List<String> totals = new ArrayList<>();
        all.forEach((metric, units) -> {
            keyList.add(keys.counter(reservation.period(), metric));
            totals.add(keys.settledTotal(reservation.period(), metric));
            args.add(String.valueOf(units));
        });
        keyList.addAll(totals);
        return eval(SETTLE, keyList, args).map(response -> response.toLong() == 1L)
                .invoke(first -> {
                    if (first) {
                        inFlight.decrementAndGet();
                        settled.increment();
                    } else {
                        repeated.increment();
                    }
                });
    }

    /**
     * Keeps {@code reservation} held while its call runs longer than the reservation's TTL (a long stream, a
     * fallback chain): its expiry is moved on every third of the TTL until it is settled, or for at most
     * {@code tollgate.gate.longest-hold}. A caller that dies stops keeping it, so its units still come back.
     */
    public void keepAlive(Reservation reservation) {
        if (reservation.held().isEmpty()) {
            return; // nothing held in Redis
        }
        long every = Math.max(1, config.reservationTtl().toMillis() / 3);
        long until = System.nanoTime() + config.longestHold().toNanos();
        Keys keys = new Keys(reservation.tenantId());
        List<String> keyList = List.of(keys.reservations(), keys.reservation(reservation.id()));
        List<String> args = List.of(reservation.id(), String.valueOf(config.reservationTtl().toMillis()));
        long timer = vertx.setPeriodic(every, id -> {
            if (System.nanoTime() > until) {
                LOG.warnf("quota gate: reservation %s of tenant %s was not settled within %s; no longer kept",
                        reservation.id(), reservation.tenantId(), config.longestHold());
                stopKeepingAlive(reservation.id());
                return;
            }
            eval(EXTEND, keyList, args).subscribe().with(held -> {
                // a 0 that crossed the settle is no lapse: the reservation is no longer kept
                if (held.toLong() == 0L && keptAlive.containsKey(reservation.id())) {
                    registry.counter("tollgate.gate.reservations.lapsed").increment();
                    LOG.warnf("quota gate: reservation %s of tenant %s lapsed before its call ended; what the call "
                            + "uses is counted in full when it settles", reservation.id(), reservation.tenantId());
                    stopKeepingAlive(reservation.id());
                }
            }, failure -> LOG.debugf("quota gate: keeping reservation %s failed: %s", reservation.id(),
                    failure.getMessage()));
        });
        Long previous = keptAlive.put(reservation.id(), timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }

    private void stopKeepingAlive(String reservationId) {
        Long timer = keptAlive.remove(reservationId);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Brings the period's counter of a metric to what is known to be used: the larger of {@code ledgerUnits}, what
     * the ledger recorded, and the units settled in Redis (usage on its way to the ledger counts), plus what live
     * reservations hold. Expired reservations are given back first.
     */
    public Uni<Drift> reconcile(UUID tenantId, String period, Instant periodEnds, String metric, long ledgerUnits) {
        Keys keys = new Keys(tenantId);
        return eval(RECONCILE, List.of(keys.counter(period, metric), keys.reservations(),
                keys.settledTotal(period, metric)),
                List.of(String.valueOf(ledgerUnits),
                        String.valueOf(periodEnds.plus(config.counterRetention()).toEpochMilli())))
                .map(response -> new Drift(response.get(0).toLong(), response.get(1).toLong(), response.get(2).toLong(),
                        response.get(3).toLong()));
    }

    /**
     * What reconciliation did: the counter was corrected by {@code drift} (positive: raised), from {@code counter};
     * {@code held} by live reservations, {@code settled} known used.
     */
    public record Drift(long drift, long counter, long held, long settled) {
    }

    /** Marks the counters rebuilt from the ledger in this Redis (metering-service, after a full reconciliation). */
    public Uni<Void> markRebuilt(String epoch) {
        return withTimeout(redis.execute("SET", EPOCH_KEY, epoch)).replaceWithVoid();
    }

    /** Whether this Redis's counters were marked rebuilt; fails when Redis cannot be asked. */
    public Uni<Boolean> rebuilt() {
        return withTimeout(redis.execute("EXISTS", EPOCH_KEY)).map(answer -> answer.toLong() == 1L);
    }

    /** Units counted for the tenant's metric in the period, held ones included. */
    public Uni<Long> used(UUID tenantId, String period, String metric) {
        return redis.execute("GET", new Keys(tenantId).counter(period, metric))
                .map(response -> response == null ? 0L : response.toLong());
    }

    private GateDecision decide(Response response, GateRequest request, String id, List<String> metrics) {
        long status = response.get(0).toLong();
        if (status == 2) {
            RateRule rule = request.rates().get(response.get(1).toInteger() - 1);
            return new GateDecision.RateLimited(rule, Duration.ofMillis(Math.max(1, response.get(2).toLong())));
        }
        if (status == 3) {
            String metric = metrics.get(response.get(1).toInteger() - 1);
            return new GateDecision.QuotaExceeded(GateRequest.baseMetric(metric), response.get(2).toLong(),
                    response.get(3).toLong(), request.periodEnds(), GateRequest.keyOf(metric).orElse(null));
        }
        Map<String, Long> remaining = new LinkedHashMap<>();
        for (int i = 0; i < metrics.size(); i++) {
            long left = response.get(i + 1).toLong();
            if (left >= 0) {
                remaining.put(metrics.get(i), left);
            }
        }
        GateDecision.RateStatus tightest = null; // of the rules on requests: the headers count requests
        for (int j = 0; j < request.rates().size(); j++) {
            long left = response.get(metrics.size() + 1 + 2 * j).toLong();
            if (request.rates().get(j).unit() == RateRule.Unit.REQUESTS
                    && (tightest == null || left < tightest.remaining())) {
                tightest = new GateDecision.RateStatus(request.rates().get(j), Math.max(0, left),
                        Duration.ofMillis(response.get(metrics.size() + 2 + 2 * j).toLong()));
            }
        }
        inFlight.incrementAndGet();
        long now = response.get(metrics.size() + 1 + 2 * request.rates().size()).toLong(); // Redis's clock
        Reservation reservation = new Reservation(id, request.tenantId(), request.period(), request.periodEnds(),
                held(request.amounts()), Instant.ofEpochMilli(now).plus(config.reservationTtl()), request.budgetKeys());
        return new GateDecision.Allowed(reservation, remaining, request.periodEnds(), tightest);
    }

    /** The units a reservation holds in Redis: the positive amounts (a zero amount holds nothing). */
    private static Map<String, Long> held(Map<String, Long> amounts) {
        Map<String, Long> held = new LinkedHashMap<>();
        amounts.forEach((metric, units) -> {
            if (units > 0) {
                held.put(metric, units);
            }
        });
        return held;
    }

    private GateDecision withoutRedis(GateRequest request, String id, Throwable failure) {
        registry.counter("tollgate.gate.redis.unavailable").increment();
        LOG.warnf("quota gate: Redis unreachable (%s); applying the configured policy", failure.getMessage());
        boolean counted = request.amounts().keySet().stream().anyMatch(request.limits()::containsKey);
        if (counted && config.whenRedisUnavailable().quota() != GateConfig.Policy.ADMIT) {
            return new GateDecision.Unavailable("quotas cannot be checked while Redis is unreachable");
        }
        GateConfig.Policy rate = config.whenRedisUnavailable().rate();
        if (rate == GateConfig.Policy.REFUSE && !request.rates().isEmpty()) {
            return new GateDecision.Unavailable("rate limits cannot be checked while Redis is unreachable");
        }
        if (rate == GateConfig.Policy.LOCAL) {
            var limited = local.admit(request.tenantId().toString(), request.rates(), System.currentTimeMillis());
            if (limited.isPresent()) {
                return limited.get();
            }
        }
        // nothing is held in Redis: a settle of this reservation counts its actual units once Redis is back
        Reservation reservation = new Reservation(id, request.tenantId(), request.period(), request.periodEnds(),
                Map.of(), Instant.now().plus(config.reservationTtl()), request.budgetKeys());
        return new GateDecision.Allowed(reservation, Map.of(), request.periodEnds(), null);
    }

    /** EVALSHA; a Redis that does not know the script yet (new, restarted) gets it once with EVAL. */
    private Uni<Response> eval(Script script, List<String> keys, List<String> args) {
        return run("EVALSHA", script.sha(), keys, args)
                .onFailure(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT"))
                .recoverWithUni(() -> run("EVAL", script.source(), keys, args));
    }

    private Uni<Response> run(String command, String script, List<String> keys, List<String> args) {
        String[] arguments = new String[keys.size() + args.size() + 2];
        arguments[0] = script;
        arguments[1] = String.valueOf(keys.size());
        int i = 2;
        for (String key : keys) {
            arguments[i++] = key;
        }
        for (String arg : args) {
            arguments[i++] = arg;
        }
        return withTimeout(redis.execute(command, arguments));
    }

    /**
     * Fails the call when Redis has not answered within {@code tollgate.gate.redis-timeout}. A Vert.x timer on the
     * caller's event loop costs next to nothing; Mutiny's {@code ifNoItem()} schedules on a shared executor and
     * took a third of the gate's throughput on a two-core machine.
     */
    private Uni<Response> withTimeout(Uni<Response> call) {
        long timeout = config.redisTimeout().toMillis();
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(timeout, id -> emitter.fail(new TimeoutException(
                    "Redis did not answer within " + timeout + " ms")));
            call.subscribe().with(item -> {
                vertx.cancelTimer(timer);
                emitter.complete(item);
            }, failure -> {
                vertx.cancelTimer(timer);
                emitter.fail(failure);
            });
        });
    }

    /** The decision as the metric and the span name it. */
    private static String outcome(GateDecision decision) {
        return decision instanceof GateDecision.Allowed ? "allowed"
                : decision instanceof GateDecision.RateLimited ? "rate-limited"
                        : decision instanceof GateDecision.QuotaExceeded ? "quota-exceeded" : "unavailable";
    }

    private void count(GateDecision decision) {
        (decision instanceof GateDecision.Allowed ? allowed
                : decision instanceof GateDecision.RateLimited ? rateLimited
                        : decision instanceof GateDecision.QuotaExceeded ? quotaExceeded
                                : unavailable)
                .increment();
    }

    /** A Lua script and the SHA-1 Redis knows it by. */
    record Script(String source, String sha) {

        static Script load(String name) {
            try (InputStream in = QuotaGate.class.getResourceAsStream("/gate/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("gate script " + name + " is missing from the classpath");
                }
                String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(source, HexFormat.of().formatHex(digest));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JVM", e);
            }
        }
    }

    /** Redis keys, all under the tenant's hash tag so that one script touches one cluster slot. */
    private record Keys(UUID tenantId) {
        String prefix() {
            return "tg:{" + tenantId + "}:";
        }

        String reservations() {
            return prefix() + "res";
        }

        String reservation(String id) {
            return reservations() + ":" + id;
        }

        String settled(String id) {
            return prefix() + "settled:" + id;
        }

        /** The marker that the tenant's counters are known to this Redis. */
        String known() {
            return prefix() + "known";
        }

        String counter(String period, String metric) {
            return prefix() + "q:" + period + ":" + metric;
        }

        /** The units settled of a counter: what callers reported using, held units aside. */
        String settledTotal(String period, String metric) {
            return prefix() + "s:" + period + ":" + metric;
        }

        String rate(RateRule rule) {
            return prefix() + "rl:" + rule.bucket();
        }
    }
}
