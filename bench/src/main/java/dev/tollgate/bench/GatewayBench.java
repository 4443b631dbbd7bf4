package dev.tollgate.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.testing.TestIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gateway overhead: the packaged generation-service in front of an upstream provider (WireMock speaking the
 * OpenAI protocol) that answers after a fixed delay, driven open-loop at fixed rates with every step on: token
 * verification, the gate (rate limits and quotas in Redis), the provider call (JSON on Vert.x's HTTP client), the
 * generation record and its usage event in PostgreSQL, and settling. The same client sends the same request
 * straight to the upstream at the same rate; overhead is Tollgate's latency minus the upstream's, at p50 and
 * p99. Prints the figures and writes bench/target/gateway-report.md.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install && ./mvnw -q -pl bench exec:java -Dbench.main=dev.tollgate.bench.GatewayBench
 * </pre>
 *
 * Properties: bench.rates (500,1000 requests/s), bench.seconds (20), bench.warmup (10), bench.upstream-ms (20),
 * bench.jvm (the service's JVM options, "-Xmx512m"),
 * bench.tenants (100).
 */
public final class GatewayBench {

    private static final String ANSWER = """
            {"id":"chatcmpl-bench","object":"chat.completion","created":1764000000,"model":"bench-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"A short answer."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}""";
    private static final String BODY = "{\"model\":\"small\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Suggest a name for a bakery\"}]}";

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int[] rates = Arrays.stream(System.getProperty("bench.rates", "500,1000").split(","))
                .mapToInt(r -> Integer.parseInt(r.trim())).toArray();
        int seconds = Integer.getInteger("bench.seconds", 20);
        int warmup = Integer.getInteger("bench.warmup", 10);
        int upstreamMs = Integer.getInteger("bench.upstream-ms", 20);
        int tenants = Integer.getInteger("bench.tenants", 100);

        DevStack stack = DevStack.start(work.resolve("devstack-gateway"), DevStack.Ports.ANY, false);
        WireMockServer upstream = upstream(upstreamMs);
        TestIssuer issuer = TestIssuer.shared();
        ServiceProcess generation = null;
        Vertx vertx = Vertx.vertx();
        try {
            int port = FreePorts.pick();
            Map<String, String> config = unrefused(serviceConfig(stack, issuer, upstream.port()));
            generation = ServiceProcess.launch(root, "generation", port, config,
                    List.of(System.getProperty("bench.jvm", "-Xmx512m").trim().split("\\s+")),
                    work.resolve("bench-generation.log"));
            generation.ready(Duration.ofMinutes(3));
            List<String> tokens = tokens(issuer, tenants);
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(400).setMaxWaitQueueSize(100_000));
            Target gateway = new Target("127.0.0.1", port, "/v1/chat/completions", tokens);
            Target direct = new Target("127.0.0.1", upstream.port(), "/v1/chat/completions", List.of("bench-key"));

            StringBuilder report = new StringBuilder("# Tollgate gateway-overhead benchmark, " + Instant.now() + "\n\n"
                    + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + "; upstream answers after " + upstreamMs + " ms; "
                    + tenants + " tenants, 10 users each; " + seconds + " s per rate after " + warmup + " s warm-up.\n\n"
                    + "| rate (req/s) | upstream direct p50 / p99 (ms) | through Tollgate p50 / p99 (ms) "
                    + "| overhead p50 / p99 (ms) | achieved req/s | errors |\n|---|---|---|---|---|---|\n");
            for (int rate : rates) {
                run(vertx, client, direct, rate, warmup);
                Result upstreamResult = run(vertx, client, direct, rate, seconds);
                run(vertx, client, gateway, rate, warmup);
                Result gatewayResult = run(vertx, client, gateway, rate, seconds);
                String line = String.format("| %,d | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %,.0f | %d |%n", rate,
                        upstreamResult.percentile(50), upstreamResult.percentile(99), gatewayResult.percentile(50),
                        gatewayResult.percentile(99), gatewayResult.percentile(50) - upstreamResult.percentile(50),
                        gatewayResult.percentile(99) - upstreamResult.percentile(99), gatewayResult.perSecond(),
                        gatewayResult.errors());
                System.out.print(line);
                report.append(line);
            }
            BenchReport.write(work, "gateway-report.md", report);
        } finally {
            if (generation != null) {
                generation.stop(Duration.ofSeconds(20));
            }
            vertx.close();
            upstream.stop();
            stack.close();
        }
        System.exit(0);
    }

    /**
     * The local profile's settings for services on {@code stack}, quiet, trusting {@code issuer}'s tokens, with the
     * model {@code small} routed to the provider {@code bench} at the upstream on {@code upstreamPort}.
     */
    static Map<String, String> serviceConfig(DevStack stack, TestIssuer issuer, int upstreamPort) {
        Map<String, String> config = LocalRun.localProfile(stack);
        config.put("quarkus.log.level", "WARN");
        config.putAll(issuer.verifierConfig());
        config.put("tollgate.generation.providers.bench.base-url", "http://127.0.0.1:" + upstreamPort + "/v1");
        config.put("tollgate.generation.providers.bench.api-key", "bench-key");
        config.put("tollgate.generation.providers.bench.model", "bench-model");
        config.put("tollgate.generation.routes.small", "bench");
        // no metering-service runs here to rebuild Redis's counters: the gate trusts the Redis it finds
        config.put("tollgate.gate.await-counter-rebuild", "false");
        return config;
    }

    /**
     * {@code config} with every step still on but limits high enough that a run is never refused, and a breaker
     * that never opens on the run's volume.
     */
    static Map<String, String> unrefused(Map<String, String> config) {
        config.put("tollgate.generation.providers.bench.breaker-request-volume", "100000");
        for (String metric : List.of("generations", "input_tokens", "output_tokens", "cost_micros")) {
            config.put("tollgate.free-tier.quotas." + metric, "1000000000000");
        }
        config.put("tollgate.free-tier.rate-limits.user-per-minute", "1000000");
        config.put("tollgate.free-tier.rate-limits.user-per-hour", "10000000");
        config.put("tollgate.free-tier.rate-limits.tenant-per-minute", "1000000");
        config.put("tollgate.free-tier.rate-limits.tenant-per-hour", "10000000");
        config.put("tollgate.free-tier.rate-limits.burst-per-second", "100000");
        return config;
    }

    /** {@code count} access tokens of {@code tenants} tenants with ten users each, valid for two hours. */
    static List<String> tokens(TestIssuer issuer, int tenants) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < tenants * 10; i++) {
            var claims = TestIssuer.claims(UUID.randomUUID(), new UUID(0, i / 10 + 1), "member");
            claims.setExpirationTimeMinutesInTheFuture(120);
            tokens.add(issuer.sign(claims));
        }
        return tokens;
    }

    /** An upstream speaking OpenAI's protocol that answers every chat completion after {@code delayMillis}. */
    static WireMockServer upstream(int delayMillis) {
        WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(200).disableRequestJournal());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(okJson(ANSWER).withFixedDelay(delayMillis)));
        return upstream;
    }

    record Target(String host, int port, String path, List<String> keys) {
    }

    record Result(long[] latenciesNanos, long errors, double seconds) {
        double perSecond() {
            return latenciesNanos.length / seconds;
        }

        double percentile(int p) {
            return BenchReport.percentileMillis(latenciesNanos, p);
        }
    }

    /**
     * Sends {@code rate} requests a second for {@code seconds}, open-loop: a request leaves on schedule whether or
     * not earlier ones have answered, and its latency counts from its scheduled time.
     */
    static Result run(Vertx vertx, HttpClient client, Target target, int rate, int seconds)
            throws InterruptedException {
        int total = rate * seconds;
        long[] latencies = new long[total];
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(total);
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        AtomicLong sent = new AtomicLong();
        Buffer body = Buffer.buffer(BODY);
        long timer = vertx.setPeriodic(1, id -> {
            long due = Math.min(total, (System.nanoTime() - start) / interval + 1);
            while (sent.get() < due) {
                long index = sent.getAndIncrement();
                long scheduled = start + index * interval;
                String key = target.keys().get((int) (index % target.keys().size()));
                client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host())
                        .setPort(target.port()).setURI(target.path())
                        .putHeader("content-type", "application/json")
                        .putHeader("authorization", "Bearer " + key))
                        .compose(request -> request.send(body))
                        .compose(response -> response.body().map(ignored -> response.statusCode()))
                        .onComplete(outcome -> {
                            if (outcome.failed() || outcome.result() != 200) {
                                if (errors.incrementAndGet() == 1) {
                                    System.err.println("first error: " + (outcome.failed() ? outcome.cause()
                                            : "status " + outcome.result()));
                                }
                            } else {
                                latencies[(int) done.getAndIncrement()] = System.nanoTime() - scheduled;
                            }
                            finished.countDown();
                        });
            }
        });
        boolean complete = finished.await(seconds + 120L, TimeUnit.SECONDS);
        vertx.cancelTimer(timer);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!complete) {
            System.err.println("not every request answered within two minutes of the run");
        }
        return new Result(Arrays.copyOf(latencies, (int) done.get()), errors.get(), elapsed);
    }
}
