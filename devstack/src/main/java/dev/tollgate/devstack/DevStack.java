package dev.tollgate.devstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/** PostgreSQL, Redis and Kafka on loopback, started together and handed to the services as configuration. */
public final class DevStack implements AutoCloseable {

    /** System property naming the folder that holds the servers' data; tests set it under target/. */
    public static final String DIR_PROPERTY = "tollgate.devstack.dir";

    private static final Logger LOG = Logger.getLogger(DevStack.class.getName());
    private static DevStack shared;

    private final PostgresServer postgres;
    private final RedisServer redis;
    private final KafkaBroker kafka;

    private DevStack(PostgresServer postgres, RedisServer redis, KafkaBroker kafka) {
        this.postgres = postgres;
        this.redis = redis;
        this.kafka = kafka;
    }

    /** The ports to prefer; 0 means any free port. */
    public record Ports(int postgres, int redis, int kafka, int kafkaController) {
        public static final Ports ANY = new Ports(0, 0, 0, 0);
    }

    public static DevStack start(Path dir, Ports ports, boolean keepData) {
        // the servers find their own classes by the context class loader (Kafka does); in tests that is a Quarkus
        // class loader, which must not lend them a second copy of a class
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(DevStack.class.getClassLoader());
        try {
            return startServers(dir, ports, keepData);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static DevStack startServers(Path dir, Ports ports, boolean keepData) {
        long started = System.nanoTime();
        PostgresServer postgres = PostgresServer.start(dir.resolve("postgres"), FreePorts.preferring(ports.postgres()),
                keepData);
        RedisServer redis = null;
        try {
            redis = RedisServer.start(dir.resolve("redis"), FreePorts.preferring(ports.redis()), keepData);
            KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"),
                    FreePorts.preferring(ports.kafka()), FreePorts.preferring(ports.kafkaController()), keepData);
            try {
                // the topics as deploy/kafka/topics.txt declares them (partitions, retention), where the repository is
                KafkaTopics.find(Path.of("")).ifPresent(file -> KafkaTopics.create(kafka.bootstrapServers(),
                        KafkaTopics.read(file)));
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            DevStack stack = new DevStack(postgres, redis, kafka);
            LOG.info(() -> String.format("devstack up in %d ms: postgres :%d, redis :%d, kafka :%d (data in %s)",
                    (System.nanoTime() - started) / 1_000_000, postgres.port(), stack.redis.port(), kafka.port(), dir));
            return stack;
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.close();
            }
            postgres.close();
            throw e;
        }
    }

    /**
     * The one stack of this JVM, started on first use under {@code tollgate.devstack.dir} (default
     * {@code target/devstack}) with fresh data, and stopped when the JVM exits.
     */
    public static synchronized DevStack shared() {
        if (shared == null) {
            Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/devstack")).toAbsolutePath();
            DevStack stack = start(dir, Ports.ANY, false);
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "devstack-stop"));
            shared = stack;
        }
        return shared;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public RedisServer redis() {
        return redis;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The Quarkus configuration that points a service at these servers. */
    public Map<String, String> quarkusConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl());
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        config.put("quarkus.datasource.username", PostgresServer.USER);
        config.put("quarkus.datasource.password", PostgresServer.PASSWORD);
        config.put("quarkus.redis.hosts", redis.url());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    @Override
    public void close() {
        safely(kafka::close);
        safely(redis::close);
        safely(postgres::close);
    }

    private static void safely(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warning("devstack: " + e.getMessage());
        }
    }
}
