package dev.tollgate.bench;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.devstack.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Ledger ingestion: the packaged metering-service consuming usage.recorded from devstack's broker into
 * PostgreSQL, with a share of the events delivered twice. The events are on the topic before the service
 * starts, so the figure is how fast the ledger drains a backlog. Prints the figures and writes
 * bench/target/ledger-report.md.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install && ./mvnw -q -pl bench exec:java -Dbench.main=dev.tollgate.bench.LedgerBench
 * </pre>
 *
 * Properties: bench.events (200000 distinct events), bench.duplicates (0.1: the share sent a second time),
 * bench.tenants (1000).
 */
public final class LedgerBench {

    private LedgerBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int events = Integer.getInteger("bench.events", 200_000);
        double duplicates = Double.parseDouble(System.getProperty("bench.duplicates", "0.1"));
        int tenants = Integer.getInteger("bench.tenants", 1000);

        DevStack stack = DevStack.start(work.resolve("devstack-ledger"), DevStack.Ports.ANY, false);
        ServiceProcess metering = null;
        try {
            UUID[] tenantIds = new UUID[tenants];
            for (int i = 0; i < tenants; i++) {
                tenantIds[i] = UUID.randomUUID();
            }
            long sent = produce(stack, events, duplicates, tenantIds);
            System.out.printf("%,d records on usage.recorded (%,d distinct)%n", sent, events);

            Map<String, String> config = LocalRun.localProfile(stack);
            config.put("tollgate.tokens.issuer", "http://localhost:1");
            config.put("quarkus.log.level", "WARN");
            int port;
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            metering = ServiceProcess.launch(root, "metering", port, config, List.of("-Xmx512m"),
                    work.resolve("bench-metering.log"));
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            long recorded = 0;
            while (recorded == 0 && System.nanoTime() < deadline && metering.isAlive()) {
                Thread.sleep(50);
                recorded = count(stack);
            }
            // the clock starts with the first recorded batch, so the service's start-up is left out
            long started = System.nanoTime();
            long first = recorded;
            while (recorded < events && System.nanoTime() < deadline && metering.isAlive()) {
                Thread.sleep(100);
                recorded = count(stack);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Thread.sleep(2000);
            long settled = count(stack);
            long measured = Math.round((recorded - first) * (double) sent / events);
            long totals = total(stack);
            String report = "# Tollgate ledger ingestion benchmark, " + Instant.now() + "\n\n"
                    + "| figure | value |\n|---|---|\n"
                    + "| machine | " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + " |\n"
                    + "| records consumed (distinct + duplicates) | " + String.format("%,d", sent) + " |\n"
                    + "| events in the ledger | " + String.format("%,d", settled) + " |\n"
                    + "| generations in the totals (must equal the events) | " + String.format("%,d", totals) + " |\n"
                    + "| seconds from the first recorded batch to the last event | " + String.format("%.1f", seconds) + " |\n"
                    + "| records per second (duplicates included) | " + String.format("%,.0f", measured / seconds) + " |\n"
                    + "| distinct events per second | " + String.format("%,.0f", (recorded - first) / seconds) + " |\n"
                    + "| quota thresholds announced meanwhile (every tenant passes 100 free generations) | "
                    + String.format("%,d", single(stack, "select count(*) from metering.threshold_alerts")) + " |\n";
            BenchReport.write(work, "ledger-report.md", report);
        } finally {
            if (metering != null) {
                metering.stop(Duration.ofSeconds(20));
            }
            stack.close();
        }
        System.exit(0);
    }

    private static long produce(DevStack stack, int events, double duplicates, UUID[] tenants) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        long sent = 0;
        Instant at = Instant.parse("2026-11-15T12:00:00Z");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < events; i++) {
                UUID tenant = tenants[i % tenants.length];
                String payload = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"occurredAt\":\"" + at.plusSeconds(i)
                        + "\",\"tenantId\":\"" + tenant + "\",\"schemaVersion\":1,\"userId\":\"" + tenant
                        + "\",\"source\":\"generation\",\"model\":\"small\",\"subjectId\":\"g-" + i
                        + "\",\"quantities\":{\"generations\":1,\"input_tokens\":700,\"output_tokens\":300}}";
                producer.send(new ProducerRecord<>("usage.recorded", tenant.toString(), payload));
                sent++;
                if (i % 1000 < duplicates * 1000) {
                    producer.send(new ProducerRecord<>("usage.recorded", tenant.toString(), payload));
                    sent++;
                }
            }
            producer.flush();
        }
        return sent;
    }

    private static long count(DevStack stack) throws Exception {
        return single(stack, "select count(*) from metering.usage_events");
    }

    private static long total(DevStack stack) throws Exception {
        return single(stack, "select coalesce(sum(units), 0) from metering.usage_aggregates where metric = 'generations'");
    }

    private static long single(DevStack stack, String sql) throws Exception {
        try (Connection db = DriverManager.getConnection(stack.postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD); Statement statement = db.createStatement()) {
            try (ResultSet rows = statement.executeQuery(sql)) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }
}
