package dev.tollgate.bench;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.bench.GatewayBench.Result;
import dev.tollgate.bench.GatewayBench.Target;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.testing.TestIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What tracing costs: the packaged generation-service in front of the gateway bench's upstream, at one rate below
 * saturation, untraced (tracing off), traced (every request, each span sent over OTLP/HTTP to a collector in this
 * JVM that takes and drops them), and untraced again (how far two untraced runs differ is the noise). Each run
 * starts a fresh service, warms it up, then measures the service's CPU time from /proc per request, and the
 * latency percentiles. Prints the figures and writes bench/target/tracing-report.md.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install && ./mvnw -q -pl bench exec:java -Dbench.main=dev.tollgate.bench.TracingBench
 * </pre>
 *
 * Properties: bench.rate (100 requests/s), bench.seconds (30), bench.warmup (20), bench.upstream-ms (20),
 * bench.tenants (100).
 */
public final class TracingBench {

    private TracingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int rate = Integer.getInteger("bench.rate", 100);
        int seconds = Integer.getInteger("bench.seconds", 30);
        int warmup = Integer.getInteger("bench.warmup", 20);
        int upstreamMs = Integer.getInteger("bench.upstream-ms", 20);
        int tenants = Integer.getInteger("bench.tenants", 100);

        DevStack stack = DevStack.start(work.resolve("devstack-tracing"), DevStack.Ports.ANY, false);
        WireMockServer upstream = GatewayBench.upstream(upstreamMs);
        AtomicLong exports = new AtomicLong();
        AtomicLong exportedBytes = new AtomicLong();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.pick()), 50);
        collector.createContext("/v1/traces", exchange -> {
            try (exchange) {
                exportedBytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
                exports.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
        TestIssuer issuer = TestIssuer.shared();
        List<String> tokens = GatewayBench.tokens(issuer, tenants);
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(400).setMaxWaitQueueSize(100_000));
        StringBuilder report = new StringBuilder("# Tollgate tracing-cost benchmark, " + Instant.now() + "\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + "; generation-service at " + rate + " requests/s, upstream "
                + "answering after " + upstreamMs + " ms; " + warmup + " s warm-up, then " + seconds
                + " s measured, a fresh service per run.\n\n"
                + "| run | service CPU ms per request | p50 / p99 (ms) | achieved req/s | errors | OTLP bytes per request |\n"
                + "|---|---|---|---|---|---|\n");
        double[] cpu = new double[3];
        try {
            String[] runs = { "untraced", "traced", "untraced again" };
            for (int i = 0; i < runs.length; i++) {
                boolean traced = i == 1;
                Map<String, String> config = GatewayBench.unrefused(GatewayBench.serviceConfig(stack, issuer,
                        upstream.port()));
                if (traced) {
                    config.putAll(LocalRun.tracing(endpoint, Duration.ofSeconds(1)));
                }
                int port = FreePorts.pick();
                ServiceProcess generation = ServiceProcess.launch(root, "generation", port, config,
                        List.of("-Xmx512m"), work.resolve("bench-tracing-" + i + ".log"));
                try {
                    generation.ready(Duration.ofMinutes(3));
                    Target target = new Target("127.0.0.1", port, "/v1/chat/completions", tokens);
                    GatewayBench.run(vertx, client, target, rate, warmup);
                    long bytesBefore = exportedBytes.get();
                    long cpuBefore = BenchReport.cpuMillis(generation.pid());
                    Result result = GatewayBench.run(vertx, client, target, rate, seconds);
                    cpu[i] = (BenchReport.cpuMillis(generation.pid()) - cpuBefore)
                            / (double) Math.max(1, result.latenciesNanos().length);
                    double bytes = (exportedBytes.get() - bytesBefore) / (double) Math.max(1, result.latenciesNanos().length);
                    String line = String.format("| %s | %.2f | %.1f / %.1f | %,.0f | %d | %,.0f |%n", runs[i], cpu[i],
                            result.percentile(50), result.percentile(99), result.perSecond(), result.errors(), bytes);
                    System.out.print(line);
                    report.append(line);
                } finally {
                    generation.stop(Duration.ofSeconds(20));
                }
            }
            double untraced = (cpu[0] + cpu[2]) / 2;
            report.append(String.format("%nTraced over untraced (the mean of both untraced runs): %.2f× the CPU per "
                    + "request; the untraced runs differ by %.0f%%. The collector took %d exports.%n",
                    cpu[1] / untraced, 100 * Math.abs(cpu[0] - cpu[2]) / untraced, exports.get()));
            BenchReport.write(work, "tracing-report.md", report);
        } finally {
            vertx.close();
            collector.stop(0);
            upstream.stop();
            stack.close();
        }
        System.exit(0);
    }
}
