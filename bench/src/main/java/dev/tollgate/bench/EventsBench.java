package dev.tollgate.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The event pipeline through faults, on devstack's servers with the packaged generation-service (a producer) and
 * metering-service (a consumer):
 * <ol>
 * <li><b>Idle publish latency</b>: chat completions one at a time, spaced out, each writing its usage.recorded to
 * generation's outbox; the time from the row's creation to its publication (both stamped by the service), and the
 * database transactions per second of the two services while nothing happens.</li>
 * <li><b>Backlog drain</b>: with Kafka stopped, {@code bench.rows} (360,000) rows written to generation's outbox for
 * 1,000 tenants; Kafka restarted; the time until every row is published, and generation's CPU seconds for it.</li>
 * <li><b>Consumer lag through a database outage</b>: usage.recorded produced at {@code bench.rate} (500/s) for
 * {@code bench.flow-seconds} (75 s) while PostgreSQL refuses connections for {@code bench.outage-seconds} (30 s) in
 * the middle; metering's ledger lag each second, the largest lag, the time to catch up once the database is back,
 * and whether every event arrived once.</li>
 * </ol>
 * Prints the figures and writes bench/target/events-report.md.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install && ./mvnw -q -pl bench exec:java -Dbench.main=dev.tollgate.bench.EventsBench
 * </pre>
 */
public final class EventsBench {

    private static final String ANSWER = """
            {"id":"chatcmpl-bench","object":"chat.completion","created":1764000000,"model":"bench-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"A short answer."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}""";
    private static final String BODY = "{\"model\":\"small\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Suggest a name for a bakery\"}]}";

    private EventsBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int idleCalls = Integer.getInteger("bench.idle-calls", 50);
        int rows = Integer.getInteger("bench.rows", 360_000);
        int rate = Integer.getInteger("bench.rate", 500);
        int flowSeconds = Integer.getInteger("bench.flow-seconds", 75);
        int outageSeconds = Integer.getInteger("bench.outage-seconds", 30);

        DevStack stack = DevStack.start(work.resolve("devstack-events"), DevStack.Ports.ANY, false);
        WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(ANSWER)));
        TestIssuer issuer = TestIssuer.shared();
        List<ServiceProcess> services = new ArrayList<>();
        StringBuilder report = new StringBuilder("# Tollgate event pipeline benchmark, " + Instant.now() + "\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + ".\n\n| figure | value |\n|---|---|\n");
        try {
            Map<String, String> config = GatewayBench.serviceConfig(stack, issuer, upstream.port());
            config.put("tollgate.free-tier.quotas.generations", "1000000000");
            ServiceProcess generation = ServiceProcess.launch(root, "generation", FreePorts.pick(), config,
                    List.of("-Xmx512m"), work.resolve("bench-events-generation.log"));
            services.add(generation);
            ServiceProcess metering = ServiceProcess.launch(root, "metering", FreePorts.pick(), config,
                    List.of("-Xmx512m"), work.resolve("bench-events-metering.log"));
            services.add(metering);
            for (ServiceProcess service : services) {
                service.ready(Duration.ofMinutes(3));
            }

            idleLatency(stack, generation, issuer, idleCalls, report);
            drain(stack, generation, rows, report);
            outage(stack, rate, flowSeconds, outageSeconds, report);
            BenchReport.write(work, "events-report.md", report);
        } finally {
            ServiceProcess.stopAll(services, Duration.ofSeconds(30));
            upstream.stop();
            stack.close();
        }
        System.exit(0);
    }

    /** Completions one at a time, 400 ms apart: how soon each usage event leaves the outbox. */
    private static void idleLatency(DevStack stack, ServiceProcess generation, TestIssuer issuer, int calls,
            StringBuilder report) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        var claims = TestIssuer.claims(UUID.randomUUID(), UUID.randomUUID(), "member");
        claims.setExpirationTimeMinutesInTheFuture(60);
        String token = issuer.sign(claims);
        Instant since = Instant.now();
        for (int i = 0; i < calls; i++) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + generation.port() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("a completion answered " + answer.statusCode() + ": " + answer.body());
            }
            Thread.sleep(400);
        }
        String rowsSince = "from generation.outbox where topic = 'usage.recorded' and created_at >= '" + since + "'";
        await(stack, "select count(*) " + rowsSince + " and published_at is null", 0, Duration.ofSeconds(30));
        double[] latency = new double[3];
        try (Connection sql = connect(stack);
                Statement statement = sql.createStatement();
                ResultSet result = statement.executeQuery("select percentile_cont(0.5) within group (order by ms), "
                        + "percentile_cont(0.9) within group (order by ms), max(ms) from (select extract(epoch from "
                        + "published_at - created_at) * 1000 as ms " + rowsSince + ") latencies")) {
            result.next();
            for (int i = 0; i < 3; i++) {
                latency[i] = result.getDouble(i + 1);
            }
        }
        // what the two services ask of the database while nothing happens
        Thread.sleep(2000);
        long before = commits(stack);
        Thread.sleep(30_000);
        double idleRate = (commits(stack) - before) / 30.0;
        line(report, "idle publish latency of a new event, p50 / p90 / max (" + calls + " completions, 400 ms apart)",
                String.format("%.1f / %.1f / %.1f ms", latency[0], latency[1], latency[2]));
        line(report, "database transactions per second while idle (generation and metering, every schedule included)",
                String.format("%.1f", idleRate));
    }

    /** A backlog written while Kafka is away; how fast it leaves once Kafka is back. */
    private static void drain(DevStack stack, ServiceProcess generation, int rows, StringBuilder report)
            throws Exception {
        stack.kafka().stop();
        try (Connection sql = connect(stack); Statement statement = sql.createStatement()) {
            statement.execute("insert into generation.outbox (event_id, topic, event_type, message_key, payload, "
                    + "occurred_at, created_at) select gen_random_uuid(), 'bench.drain', 'dev.tollgate.bench', "
                    + "'00000000-0000-4000-8000-' || lpad((n % 1000)::text, 12, '0'), "
                    + "'{\"n\":' || n || ',\"text\":\"' || repeat('x', 300) || '\"}', now(), now() "
                    + "from generate_series(1, " + rows + ") n");
        }
        long cpuBefore = BenchReport.cpuMillis(generation.pid());
        long started = System.nanoTime();
        stack.kafka().restart();
        await(stack, "select count(*) from generation.outbox where topic = 'bench.drain' and published_at is null", 0,
                Duration.ofMinutes(30));
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = (BenchReport.cpuMillis(generation.pid()) - cpuBefore) / 1000.0;
        line(report, String.format("time to drain %,d outbox rows (1,000 tenants) once Kafka is back", rows),
                String.format("%.1f s (%,.0f rows/s)", seconds, rows / seconds));
        line(report, "generation's CPU for the drain", String.format("%.1f s (%.2f CPU s per 10,000 rows)", cpu,
                cpu * 10_000 / rows));
    }

    /** usage.recorded at a steady rate while PostgreSQL refuses connections for a while. */
    private static void outage(DevStack stack, int rate, int flowSeconds, int outageSeconds, StringBuilder report)
            throws Exception {
        long base = ledger(stack);
        AtomicLong produced = new AtomicLong();
        AtomicBoolean flowing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> produce(stack, rate, flowSeconds, produced, flowing), "bench-producer");
        producer.start();
        List<String> lags = new ArrayList<>();
        long maxLag = 0;
        int outageStart = Math.max(5, (flowSeconds - outageSeconds) / 3);
        Instant back = null;
        Double caughtUp = null;
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + stack.postgres().port()
                + "/postgres", PostgresServer.USER, PostgresServer.PASSWORD); Statement sql = admin.createStatement()) {
            for (int second = 0; second < flowSeconds + 120; second++) {
                if (second == outageStart) {
                    sql.execute("alter database " + PostgresServer.DATABASE + " allow_connections false");
                    sql.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
                            + PostgresServer.DATABASE + "' and pid <> pg_backend_pid()");
                }
                if (second == outageStart + outageSeconds) {
                    sql.execute("alter database " + PostgresServer.DATABASE + " allow_connections true");
                    back = Instant.now();
                }
                Thread.sleep(1000);
                long recorded = second >= outageStart && back == null ? -1 : ledger(stack) - base;
                long lag = recorded < 0 ? -1 : produced.get() - recorded;
                if (lag >= 0) {
                    maxLag = Math.max(maxLag, lag);
                    if (back != null && caughtUp == null && lag <= rate) {
                        caughtUp = Duration.between(back, Instant.now()).toMillis() / 1000.0;
                    }
                }
                lags.add(lag < 0 ? "(database away)" : String.valueOf(lag));
                if (!flowing.get() && lag == 0) {
                    break;
                }
            }
        }
        producer.join();
        long recorded = ledger(stack) - base;
        line(report, String.format("consumer lag through a %d s database outage (usage.recorded at %d/s for %d s), "
                + "largest measured", outageSeconds, rate, flowSeconds), String.format(
                        "%,d events (%.1f s of "
                                + "traffic; the lag while the database is away is not measurable and grows by the rate)",
                        maxLag, maxLag / (double) rate));
        line(report, "time for the ledger to catch up (lag under one second of traffic) once the database is back",
                caughtUp == null ? "not within two minutes" : String.format("%.1f s", caughtUp));
        line(report, "events produced / in the ledger (each once)", String.format("%,d / %,d", produced.get(),
                recorded));
        System.out.println("ledger lag each second: " + String.join(" ", lags));
    }

    private static void produce(DevStack stack, int rate, int seconds, AtomicLong produced, AtomicBoolean flowing) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            long start = System.nanoTime();
            for (long i = 0; i < (long) rate * seconds; i++) {
                long due = start + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String tenant = new UUID(0, i % 100 + 1).toString();
                String payload = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"occurredAt\":\"" + Instant.now()
                        + "\",\"tenantId\":\"" + tenant + "\",\"schemaVersion\":1,\"userId\":\"" + tenant
                        + "\",\"source\":\"generation\",\"model\":\"small\",\"subjectId\":\"g-" + i
                        + "\",\"quantities\":{\"generations\":1,\"input_tokens\":70,\"output_tokens\":30}}";
                producer.send(new ProducerRecord<>("usage.recorded", tenant, payload));
                produced.incrementAndGet();
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flowing.set(false);
        }
    }

    private static void await(DevStack stack, String count, long wanted, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (single(stack, count) != wanted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("still " + single(stack, count) + " after " + patience + ": " + count);
            }
            Thread.sleep(100);
        }
    }

    private static long ledger(DevStack stack) throws Exception {
        return single(stack, "select count(*) from metering.usage_events");
    }

    private static long commits(DevStack stack) throws Exception {
        return single(stack, "select xact_commit + xact_rollback from pg_stat_database where datname = '"
                + PostgresServer.DATABASE + "'");
    }

    private static long single(DevStack stack, String query) throws Exception {
        try (Connection sql = connect(stack);
                Statement statement = sql.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static Connection connect(DevStack stack) throws Exception {
        return DriverManager.getConnection(stack.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
    }

    private static void line(StringBuilder report, String figure, String value) {
        String line = "| " + figure + " | " + value + " |\n";
        System.out.print(line);
        report.append(line);
    }
}
