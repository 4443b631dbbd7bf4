package dev.tollgate.bench;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.gate.GateConfig;
import dev.tollgate.gate.GateDecision;
import dev.tollgate.gate.GateRequest;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.gate.RateRule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Quota-gate admissions per second (reserve, then settle) and their latency, next to the same two scripts sent
 * as raw EVALSHA with the same keys, client and concurrency: the ceiling, and what the gate's Java side costs. Prints the
 * figures and writes
 * bench/target/gate-report.md.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install && ./mvnw -q -pl bench exec:java -Dbench.main=dev.tollgate.bench.GateBench
 * </pre>
 *
 * Properties: bench.seconds (20), bench.warmup (5), bench.inflight (64 requests in flight), bench.tenants (100).
 */
public final class GateBench {

    private GateBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int seconds = Integer.getInteger("bench.seconds", 20);
        int warmup = Integer.getInteger("bench.warmup", 5);
        int inflight = Integer.getInteger("bench.inflight", 64);
        int tenants = Integer.getInteger("bench.tenants", 100);

        DevStack stack = DevStack.start(work.resolve("devstack-gate"), DevStack.Ports.ANY, false);
        Vertx vertx = Vertx.vertx();
        try {
            Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(stack.redis().url())
                    .setMaxPoolSize(16).setMaxPoolWaiting(4096));
            ReactiveRedisDataSourceImpl redis = new ReactiveRedisDataSourceImpl(vertx, client, RedisAPI.api(client));
            QuotaGate gate = new QuotaGate(redis, vertx, config(), new SimpleMeterRegistry());
            List<UUID> tenantIds = new ArrayList<>();
            for (int i = 0; i < tenants; i++) {
                tenantIds.add(UUID.randomUUID());
            }
            AtomicLong sequence = new AtomicLong();
            Supplier<Uni<?>> decision = () -> {
                UUID tenant = tenantIds.get((int) (sequence.incrementAndGet() % tenants));
                UUID user = UUID.nameUUIDFromBytes(tenant.toString().getBytes());
                return gate.reserve(new GateRequest(tenant, user, "2026-11-01", Instant.parse("2026-12-01T00:00:00Z"),
                        Map.of("generations", 1L, "input_tokens", 600L), Map.of("generations", Long.MAX_VALUE / 4,
                                "input_tokens", Long.MAX_VALUE / 4),
                        List.of(
                                new RateRule("user-minute", "user:" + user, 1_000_000_000L, Duration.ofMinutes(1)),
                                new RateRule("tenant-minute", "tenant", 1_000_000_000L, Duration.ofMinutes(1)))))
                        .chain(result -> {
                            if (!(result instanceof GateDecision.Allowed allowed)) {
                                return Uni.createFrom().failure(new IllegalStateException("expected an admission: " + result));
                            }
                            return gate.settle(allowed.reservation(), Map.of("generations", 1L, "input_tokens", 420L));
                        });
            };
            // the same two scripts with the same keys and arguments, sent straight to Redis: the ceiling
            String reserveSha = load(redis, "/gate/reserve.lua");
            String settleSha = load(redis, "/gate/settle.lua");
            Supplier<Uni<?>> raw = () -> {
                UUID tenant = tenantIds.get((int) (sequence.incrementAndGet() % tenants));
                String user = UUID.nameUUIDFromBytes(tenant.toString().getBytes()).toString();
                String prefix = "tg:{" + tenant + "}:";
                String id = UUID.randomUUID().toString();
                String generations = prefix + "q:2026-11-01:generations";
                String inputTokens = prefix + "q:2026-11-01:input_tokens";
                String big = String.valueOf(Long.MAX_VALUE / 4);
                return redis.execute("EVALSHA", reserveSha, "7", prefix + "res", prefix + "res:" + id,
                        prefix + "known", generations, inputTokens, prefix + "rl:user-minute:user:" + user,
                        prefix + "rl:tenant-minute:tenant", "120000", id, "1799539200000", "2", "2", "1", "1", big,
                        "600", big, "60000", "1", "1", "60000", "1", "1")
                        .chain(() -> redis.execute("EVALSHA", settleSha, "7", prefix + "res", prefix + "res:" + id,
                                prefix + "settled:" + id, generations, inputTokens, prefix + "s:2026-11-01:generations",
                                prefix + "s:2026-11-01:input_tokens", id, "1200000", "1799539200000", "1", "420"));
            };

            // each phase starts from an empty keyspace: settle markers live 20 minutes, and a phase that ran
            // second would otherwise pay for the first one's keys
            redis.execute("FLUSHALL").await().indefinitely();
            run(raw, inflight, Duration.ofSeconds(warmup));
            Result rawResult = run(raw, inflight, Duration.ofSeconds(seconds));
            redis.execute("FLUSHALL").await().indefinitely();
            run(decision, inflight, Duration.ofSeconds(warmup));
            Result gateResult = run(decision, inflight, Duration.ofSeconds(seconds));

            String report = "# Tollgate quota-gate benchmark, " + Instant.now() + "\n\n"
                    + "| figure | value |\n|---|---|\n"
                    + "| machine | " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + " |\n"
                    + "| requests in flight | " + inflight + " (16 connections) |\n"
                    + "| raw EVALSHA reserve + settle per second | " + format(rawResult.perSecond()) + " |\n"
                    + "| raw p50 / p99 (ms) | " + format(rawResult.percentile(50)) + " / "
                    + format(rawResult.percentile(99)) + " |\n"
                    + "| gate reserve + settle per second (2 rate rules, 2 metrics) | " + format(gateResult.perSecond())
                    + " |\n"
                    + "| gate p50 / p99 (ms) | " + format(gateResult.percentile(50)) + " / "
                    + format(gateResult.percentile(99)) + " |\n"
                    + "| gate / raw | " + String.format("%.2f", gateResult.perSecond() / rawResult.perSecond()) + " |\n"
                    + "| failures (raw, gate) | " + rawResult.failures() + ", " + gateResult.failures() + " |\n";
            BenchReport.write(work, "gate-report.md", report);
        } finally {
            vertx.closeAndAwait();
            stack.close();
        }
        System.exit(0);
    }

    record Result(long count, long failures, double seconds, long[] latenciesNanos) {
        double perSecond() {
            return count / seconds;
        }

        double percentile(int p) {
            return BenchReport.percentileMillis(latenciesNanos, p);
        }
    }

    /** Keeps {@code inflight} calls going: each completion starts the next, until time is up. */
    private static Result run(Supplier<Uni<?>> call, int inflight, Duration duration) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[] latencies = new long[4_000_000];
        AtomicLong recorded = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(inflight);
        long start = System.nanoTime();
        for (int i = 0; i < inflight; i++) {
            next(call, running, done, failed, latencies, recorded, finished);
        }
        Thread.sleep(duration.toMillis());
        running.set(false);
        finished.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        int n = (int) Math.min(recorded.get(), latencies.length);
        return new Result(done.get(), failed.get(), seconds, Arrays.copyOf(latencies, n));
    }

    private static void next(Supplier<Uni<?>> call, AtomicBoolean running, AtomicLong done, AtomicLong failed,
            long[] latencies, AtomicLong recorded, CountDownLatch finished) {
        if (!running.get()) {
            finished.countDown();
            return;
        }
        long t0 = System.nanoTime();
        call.get().subscribe().with(
                item -> {
                    done.incrementAndGet();
                    long slot = recorded.getAndIncrement();
                    if (slot < latencies.length) {
                        latencies[(int) slot] = System.nanoTime() - t0;
                    }
                    next(call, running, done, failed, latencies, recorded, finished);
                },
                failure -> {
                    if (failed.incrementAndGet() == 1) {
                        System.err.println("first failure: " + failure);
                    }
                    next(call, running, done, failed, latencies, recorded, finished);
                });
    }

    private static String load(ReactiveRedisDataSourceImpl redis, String resource) throws java.io.IOException {
        try (var in = GateBench.class.getResourceAsStream(resource)) {
            String source = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return redis.execute("SCRIPT", "LOAD", source).await().indefinitely().toString();
        }
    }

    private static String format(double value) {
        return String.format("%,.1f", value);
    }

    private static GateConfig config() {
        return new GateConfig() {
            @Override
            public Duration reservationTtl() {
                return Duration.ofMinutes(2);
            }

            @Override
            public Duration counterRetention() {
                return Duration.ofDays(40);
            }

            @Override
            public Duration longestHold() {
                return Duration.ofMinutes(15);
            }

            @Override
            public boolean awaitCounterRebuild() {
                return false; // no metering-service here: the bench measures the gate alone
            }

            @Override
            public Duration redisTimeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public String upgradeUrl() {
                return "/billing/checkout";
            }

            @Override
            public WhenRedisUnavailable whenRedisUnavailable() {
                return new WhenRedisUnavailable() {
                    @Override
                    public Policy quota() {
                        return Policy.REFUSE;
                    }

                    @Override
                    public Policy rate() {
                        return Policy.LOCAL;
                    }
                };
            }
        };
    }
}
