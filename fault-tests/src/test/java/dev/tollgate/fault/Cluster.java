package dev.tollgate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.event.TollgateEvent;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.testing.TestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * Two replicas each of the packaged billing-, generation-, metering- and account-service (the local profile), on one
 * set of devstack servers under {@code target/fault}, with an upstream provider (WireMock speaking OpenAI's protocol)
 * and the Stripe emulator; tokens come from a {@link TestIssuer} every replica trusts. Started once per test JVM.
 */
final class Cluster {

    static final List<String> SERVICES = List.of("billing", "generation", "metering", "account");
    static final int REPLICAS = 2;
    /** A streamed answer arrives over this long, so that a test can signal a replica while streams are open. */
    static final Duration STREAM_TIME = Duration.ofSeconds(6);
    private static final Duration READY = Duration.ofMinutes(4);
    private static Cluster running;

    private final Path root;
    private final Path dir;
    private final DevStack stack;
    private final StripeEmulator stripe;
    private final WireMockServer upstream;
    private final TestIssuer issuer = TestIssuer.shared();
    private final Map<String, String> config;
    private final Map<String, List<ServiceProcess>> replicas = new LinkedHashMap<>();
    private final EventCodec codec = new EventCodec(new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final KafkaProducer<String, String> producer;

    private Cluster() {
        root = Path.of("").toAbsolutePath().getParent();
        dir = Path.of("target", "fault").toAbsolutePath();
        stack = DevStack.start(dir.resolve("servers"), DevStack.Ports.ANY, false);
        stripe = StripeEmulator.start(FreePorts.pick());
        upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(100));
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson("""
                {"id":"chatcmpl-fault","object":"chat.completion","created":1764000000,"model":"fault-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"An answer."},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}}""")));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(stream())
                        .withChunkedDribbleDelay(12, (int) STREAM_TIME.toMillis())));

        Map<String, Integer> firstPorts = new LinkedHashMap<>();
        Map<String, List<Integer>> ports = new LinkedHashMap<>();
        for (String service : SERVICES) {
            List<Integer> picked = List.of(FreePorts.pick(), FreePorts.pick());
            ports.put(service, picked);
            firstPorts.put(service, picked.get(0));
        }
        firstPorts.put("auth", FreePorts.pick()); // no auth-service runs: the test issuer signs the tokens
        config = LocalRun.serviceConfig(stack, stripe.apiBase(), firstPorts);
        config.putAll(issuer.verifierConfig());
        config.put("tollgate.generation.providers.fault.base-url", "http://127.0.0.1:" + upstream.port() + "/v1");
        config.put("tollgate.generation.providers.fault.api-key", "fault-key");
        config.put("tollgate.generation.providers.fault.model", "fault-model");
        config.put("tollgate.generation.routes.small", "fault");
        config.put("tollgate.free-tier.quotas.generations", "1000000");
        config.put("tollgate.free-tier.rate-limits.user-per-minute", "100000");
        config.put("tollgate.free-tier.rate-limits.tenant-per-minute", "100000");
        config.put("tollgate.free-tier.rate-limits.burst-per-second", "10000");
        // a reservation's TTL shorter than a streamed answer (6 s): a stream's hold must be kept alive to last
        config.put("tollgate.gate.reservation-ttl", "3s");
        // reconciliation often enough that a lagging ledger meets several passes
        config.put("tollgate.metering.reconcile-every", "5s");

        List<ServiceProcess> started = new ArrayList<>();
        for (String service : SERVICES) {
            List<ServiceProcess> list = new ArrayList<>();
            for (int replica = 0; replica < REPLICAS; replica++) {
                ServiceProcess process = launch(service, replica, ports.get(service).get(replica));
                list.add(process);
                started.add(process);
            }
            replicas.put(service, list);
        }
        for (ServiceProcess process : started) {
            process.ready(READY);
        }
        // metering has rebuilt (here: first built) the quota counters, so quota decisions are taken
        Awaitility.await().atMost(READY).until(() -> counter("metering", 0, "tollgate_quota_rebuilds_total", "")
                + counter("metering", 1, "tollgate_quota_rebuilds_total", "") >= 1);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "fault-cluster-stop"));
    }

    static synchronized Cluster start() {
        if (running == null) {
            running = new Cluster();
        }
        return running;
    }

    DevStack stack() {
        return stack;
    }

    WireMockServer upstream() {
        return upstream;
    }

    /** The Stripe emulator every billing replica calls. */
    StripeEmulator stripe() {
        return stripe;
    }

    ServiceProcess replica(String service, int replica) {
        return replicas.get(service).get(replica);
    }

    String url(String service, int replica) {
        return "http://127.0.0.1:" + replica(service, replica).port();
    }

    /** A session token of a member of {@code tenant}, valid for an hour. */
    String token(UUID user, UUID tenant) {
        return token(user, tenant, "member");
    }

    /** A session token of {@code user}, with {@code role} in {@code tenant}, valid for an hour. */
    String token(UUID user, UUID tenant, String role) {
        var claims = TestIssuer.claims(user, tenant, role);
        claims.setExpirationTimeMinutesInTheFuture(60);
        return issuer.sign(claims);
    }

    /**
     * Puts {@code tenant} on a plan with {@code generations} a month and rate limits out of the way (as billing would
     * announce it), and waits until generation and metering hold it.
     */
    void subscribe(UUID tenant, long generations, long version) throws Exception {
        announcePlan(tenant, "pro", generations, version);
        for (String schema : List.of("generation", "metering")) {
            Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> number("select count(*) from " + schema
                    + ".entitlements where tenant_id = ? and version = ?", tenant, version) == 1);
        }
    }

    /**
     * Publishes {@code tenant}'s {@code plan} with {@code generations} a month, the model {@code small} and rate limits
     * out of the way, as billing would announce it: the event published.
     */
    SubscriptionChanged announcePlan(UUID tenant, String plan, long generations, long version) throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
        SubscriptionChanged event = SubscriptionChanged.of(tenant, plan, "active", start,
                start.plus(Duration.ofDays(30)), new Entitlements(Map.of("generations", generations),
                        new Entitlements.RateLimits(100_000, 1_000_000, 100_000, 1_000_000, 10_000), Set.of("small"),
                        Set.of(), false),
                version);
        publish("subscription.changed", event);
        return event;
    }

    /** Publishes {@code event} as its producer's outbox would (keyed by tenant), acknowledged by the broker. */
    void publish(String topic, TollgateEvent event) throws Exception {
        producer.send(new ProducerRecord<>(topic, event.tenantId().toString(), codec.encode(event))).get();
    }

    /** A chat completion through {@code replica} of generation-service: its status and body. */
    HttpResponse<String> complete(int replica, String token, boolean stream) throws Exception {
        return complete(replica, token, stream, "Name a colour");
    }

    /** A chat completion asking {@code content} through {@code replica} of generation-service. */
    HttpResponse<String> complete(int replica, String token, boolean stream, String content) throws Exception {
        String body = "{\"model\":\"small\",\"max_tokens\":32" + (stream ? ",\"stream\":true" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
        return http.send(HttpRequest.newBuilder(URI.create(url("generation", replica) + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET path} on {@code replica} of {@code service}: its status. */
    int status(String service, int replica, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url(service, replica) + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The value of an unlabelled gauge on {@code replica} of {@code service}'s /q/metrics; -1 when it cannot be read. */
    double gauge(String service, int replica, String name) {
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(url(service, replica) + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /**
     * The sum of a counter's series on {@code replica} of {@code service}'s /q/metrics whose labels contain
     * {@code label} (as {@code outcome="waited"}; empty: every series); -1 when it cannot be read.
     */
    double counter(String service, int replica, String name, String label) {
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(url(service, replica) + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : metrics.split("\n")) {
                boolean series = line.startsWith(name + " ") && label.isEmpty()
                        || line.startsWith(name + "{") && line.substring(0, line.indexOf('}') + 1).contains(label);
                if (series) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            return -1;
        }
    }

    /** PostgreSQL refuses every new connection and ends the open ones, as a database restarting or failing over. */
    void refuseDatabase() throws SQLException {
        try (Connection admin = admin(); Statement sql = admin.createStatement()) {
            sql.execute("alter database " + PostgresServer.DATABASE + " allow_connections false");
            sql.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
                    + PostgresServer.DATABASE + "' and pid <> pg_backend_pid()");
        }
    }

    void acceptDatabase() throws SQLException {
        try (Connection admin = admin(); Statement sql = admin.createStatement()) {
            sql.execute("alter database " + PostgresServer.DATABASE + " allow_connections true");
        }
    }

    /** One number from the suite's database. */
    long number(String query, Object... params) {
        try (Connection sql = DriverManager.getConnection(stack.postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD); PreparedStatement statement = sql.prepareStatement(query)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }

    void execute(String update, Object... params) {
        try (Connection sql = DriverManager.getConnection(stack.postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD); PreparedStatement statement = sql.prepareStatement(update)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(update + ": " + e.getMessage(), e);
        }
    }

    /** Starts {@code replica} of {@code service} again on its port after it stopped, and waits until it is ready. */
    void restart(String service, int replica) {
        replicas.get(service).set(replica, launch(service, replica, replica(service, replica).port()).ready(READY));
    }

    private ServiceProcess launch(String service, int replica, int port) {
        return ServiceProcess.launch(root, service, port, config, LocalRun.SERVICE_JVM,
                dir.resolve("logs").resolve(service + "-" + replica + ".log"));
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + stack.postgres().port() + "/postgres",
                PostgresServer.USER, PostgresServer.PASSWORD);
    }

    /** A streamed answer as OpenAI sends it, with its usage. */
    private static String stream() {
        StringBuilder body = new StringBuilder();
        String head = "data: {\"id\":\"chatcmpl-fault\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
                + "\"model\":\"fault-model\",";
        body.append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"finish_reason\":null}]}\n\n");
        for (String piece : List.of("Deep", " sea", " blue")) {
            body.append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(piece)
                    .append("\"},\"finish_reason\":null}]}\n\n");
        }
        body.append(head).append("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        body.append(head).append("\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,"
                + "\"total_tokens\":13}}\n\n");
        body.append("data: [DONE]\n\n");
        return body.toString();
    }

    private void stop() {
        producer.close(Duration.ofSeconds(5));
        List<ServiceProcess> all = replicas.values().stream().flatMap(List::stream).toList();
        CompletableFuture.runAsync(() -> ServiceProcess.stopAll(all, Duration.ofSeconds(20))).join();
        upstream.stop();
        stripe.close();
        stack.close();
    }
}
