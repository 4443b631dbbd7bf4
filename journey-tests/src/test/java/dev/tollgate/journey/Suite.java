package dev.tollgate.journey;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.Gateway;
import dev.tollgate.devstack.LocalMailbox;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.devstack.StripeEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The packaged services of this build as processes, on free ports, over one set of servers (PostgreSQL, Redis,
 * Kafka), the Stripe emulator and the local gateway in front of them, under {@code target/journey}, in the
 * {@code local} profile (mail to the log, local secrets), traced to a collector of its own: what
 * {@code ./tollgate up} runs, started once per test JVM.
 */
final class Suite {

    /** The platform operator of every service (tollgate.security.operators): a user id the journeys sign in as. */
    static final UUID OPERATOR = UUID.fromString("0e7a7012-0000-4000-8000-00000000f417");
    private static final List<String> JVM = LocalRun.SERVICE_JVM;
    private static final Duration READY = Duration.ofMinutes(3);
    private static Suite running;

    private final DevStack stack;
    private final StripeEmulator stripe;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Gateway gateway;
    private final TraceCollector traces;
    private final Map<String, String> config;
    private final Path root;
    private final Path dir;

    private Suite(List<String> names) {
        root = Path.of("").toAbsolutePath().getParent();
        dir = Path.of("target", "journey").toAbsolutePath();
        deleteLogs(dir.resolve("logs")); // the logs are this run's alone: a test reads them
        stack = DevStack.start(dir.resolve("servers"), DevStack.Ports.ANY, false);
        stripe = StripeEmulator.start(FreePorts.pick());
        Map<String, Integer> ports = new LinkedHashMap<>();
        names.forEach(name -> ports.put(name, FreePorts.pick()));
        traces = TraceCollector.start(FreePorts.pick());
        config = LocalRun.serviceConfig(stack, stripe.apiBase(), ports);
        config.put("tollgate.security.operators", OPERATOR.toString());
        // traced as ./tollgate up with TOLLGATE_TRACES traces, each span sent within a fifth of a second
        config.putAll(LocalRun.tracing(traces.endpoint(), Duration.ofMillis(200)));
        List<ServiceProcess> started = new ArrayList<>();
        for (String name : names) {
            started.add(launch(name, ports.get(name)));
        }
        for (ServiceProcess service : started) {
            services.put(service.name(), service.ready(READY));
        }
        gateway = Gateway.start(FreePorts.pick(), ports);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "journey-stop"));
    }

    /** The whole suite: the five services, each its own process. */
    static synchronized Suite start() {
        if (running == null) {
            running = new Suite(List.of("auth", "billing", "generation", "metering", "account"));
        }
        return running;
    }

    /** Stops one service, as a crash or a deployment would. */
    void stop(String service) {
        services.get(service).stop(Duration.ofSeconds(15));
    }

    /** Starts a stopped service again on its port and waits until it is ready. */
    void restart(String service) {
        services.put(service, launch(service, services.get(service).port()).ready(READY));
    }

    /** A JDBC connection to the suite's PostgreSQL, to look into each service's schema. */
    Connection database() throws SQLException {
        return DriverManager.getConnection(stack.postgres().jdbcUrl(), PostgresServer.USER, PostgresServer.PASSWORD);
    }

    private ServiceProcess launch(String name, int port) {
        return ServiceProcess.launch(root, name, port, config, JVM, dir.resolve("logs").resolve(name + ".log"));
    }

    /** Kafka's bootstrap servers, for what a journey publishes as a service would. */
    String kafka() {
        return stack.kafka().bootstrapServers();
    }

    String url(String service) {
        return "http://localhost:" + services.get(service).port();
    }

    /** The local gateway: every service's public paths behind one port, as {@code ./tollgate up} serves them. */
    String gatewayUrl() {
        return "http://localhost:" + gateway.port();
    }

    /** The suite's folder: what {@code .tollgate/} is to the local run ({@code logs/} holds each service's log). */
    Path dir() {
        return dir;
    }

    /** The sign-in link auth-service last mailed to {@code email} (the local profile writes mail to its log). */
    String lastSignInToken(String email) {
        return LocalMailbox.lastSignInToken(services.get("auth").log(), email);
    }

    /** The invitation auth-service last mailed to {@code email}. */
    String lastInvitationToken(String email) {
        return LocalMailbox.lastInvitationToken(services.get("auth").log(), email);
    }

    /** The collector every service sends its spans to. */
    TraceCollector traces() {
        return traces;
    }

    /** The Stripe emulator's port, to read what billing asked of Stripe. */
    int stripePort() {
        return stripe.port();
    }

    private static void deleteLogs(Path logs) {
        if (Files.isDirectory(logs)) {
            try (var files = Files.list(logs)) {
                for (Path log : files.toList()) {
                    Files.delete(log);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void stop() {
        gateway.close();
        // together: each takes seconds to close its consumers, and surefire gives the JVM 30 s to exit
        ServiceProcess.stopAll(services.values(), Duration.ofSeconds(15));
        stripe.close();
        traces.close();
        stack.close();
    }
}
