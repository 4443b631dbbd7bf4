package dev.tollgate.devstack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The local run behind {@code ./tollgate up}: PostgreSQL, Redis and Kafka on loopback with their data under
 * {@code .tollgate/}, then the five packaged services as processes, each waited on until it is ready. Ctrl-C
 * stops the services, then the servers.
 */
public final class LocalRun {

    /** A service of the suite and the port it prefers. */
    record Service(String name, int preferredPort) {
    }

    static final List<Service> SERVICES = List.of(
            new Service("auth", 8081), new Service("billing", 8082), new Service("generation", 8083),
            new Service("metering", 8084), new Service("account", 8085));
    static final DevStack.Ports PORTS = new DevStack.Ports(15432, 16379, 19092, 19093);
    /**
     * The services' JVM flags in the local run: small heaps that start small (without {@code -Xms} the JVM commits
     * its whole maximum heap at once on a machine with 20 GiB or more), quick start.
     */
    public static final List<String> SERVICE_JVM = List.of("-Xms32m", "-Xmx320m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private LocalRun() {
    }

    /**
     * What the five services are told in the local run (and in the journeys, which run the same suite): the
     * servers, the {@code local} profile, loopback, where Stripe is ({@code null}: Stripe itself), where the
     * others are on {@code ports} (auth-service issues the tokens every service trusts; account-service gathers
     * exports from billing, generation and metering).
     */
    public static Map<String, String> serviceConfig(DevStack stack, String stripeApiBase, Map<String, Integer> ports) {
        Map<String, String> config = localProfile(stack);
        if (stripeApiBase != null) {
            config.put("tollgate.billing.stripe.api-base", stripeApiBase);
        }
        for (String service : List.of("billing", "generation", "metering")) {
            config.put("tollgate.account.service-urls." + service, "http://localhost:" + ports.get(service));
        }
        config.put("tollgate.tokens.issuer", "http://localhost:" + ports.get("auth"));
        config.put("tollgate.auth.public-url", "http://localhost:" + ports.get("auth"));
        return config;
    }

    /**
     * Traces the services, which the local profile does not, to the OTLP/HTTP collector at {@code endpoint} (such
     * as {@code http://localhost:4318}; {@code ./tollgate up} with {@code TOLLGATE_TRACES} set): each span is sent
     * within {@code delay}.
     */
    public static Map<String, String> tracing(String endpoint, Duration delay) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.otel.sdk.disabled", "false");
        config.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
        config.put("quarkus.otel.exporter.otlp.traces.endpoint", endpoint);
        config.put("quarkus.otel.bsp.schedule.delay", delay.toMillis() + "ms");
        return config;
    }

    /** The servers of {@code stack}, the {@code local} profile and loopback: what any service alone needs locally. */
    public static Map<String, String> localProfile(DevStack stack) {
        Map<String, String> config = stack.quarkusConfig();
        config.put("quarkus.profile", "local");
        config.put("quarkus.http.host", "127.0.0.1");
        return config;
    }

    /** The first steps, printed once the suite is ready; README.md's walkthrough goes on from there. */
    static String walkthrough(int port, Path authLog) {
        String gateway = "localhost:" + port;
        return """

                A first walk, in another terminal at this folder (the whole one is README.md's "Walkthrough"):
                  curl %1$s/billing/plans                                   # the plans, no sign-in needed
                  curl %1$s/auth/magic-link -H 'content-type: application/json' -d '{"email":"me@example.com"}'
                  grep -o 'confirm?token=[A-Za-z0-9_-]*' %2$s | tail -1    # the mailed link (mail goes to the log)
                  curl %1$s/auth/magic-link/confirm -H 'content-type: application/json' -d '{"token":"<token>"}'
                  curl %1$s/v1/chat/completions -H 'authorization: Bearer <access_token>' \\
                    -H 'content-type: application/json' \\
                    -d '{"model":"small","messages":[{"role":"user","content":"Hi"}]}'
                """.formatted(gateway, authLog);
    }

    public static void main(String[] args) throws InterruptedException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path data = root.resolve(".tollgate");
        PrintStream out = System.out;

        out.println("tollgate: starting PostgreSQL, Redis and Kafka (data in " + root.relativize(data) + "/)");
        DevStack stack = DevStack.start(data, PORTS, true);
        // Stripe: the real one when STRIPE_API_KEY is set, otherwise the local emulator
        boolean realStripe = System.getenv("STRIPE_API_KEY") != null && !System.getenv("STRIPE_API_KEY").isBlank();
        StripeEmulator stripe = realStripe ? null : StripeEmulator.start(FreePorts.preferring(StripeEmulator.LOCAL_PORT));
        List<ServiceProcess> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("tollgate: stopping the services, then the servers");
            // as long as generation-service may take to let the streams in flight finish (quarkus.shutdown.timeout)
            ServiceProcess.stopAll(running, Duration.ofSeconds(75));
            stack.close();
            if (stripe != null) {
                stripe.close();
            }
            out.println("tollgate: stopped");
            stopped.countDown();
        }, "tollgate-stop"));

        Map<String, Integer> ports = new LinkedHashMap<>();
        SERVICES.forEach(service -> ports.put(service.name(), FreePorts.preferring(service.preferredPort())));
        Map<String, String> config = serviceConfig(stack, stripe == null ? null : stripe.apiBase(), ports);
        String traces = System.getenv("TOLLGATE_TRACES");
        if (traces != null && !traces.isBlank()) {
            config.putAll(tracing(traces.strip(), Duration.ofSeconds(1)));
            out.println("tollgate: tracing the services to " + traces.strip() + " (OTLP over HTTP)");
        }
        for (Service service : SERVICES) {
            running.add(ServiceProcess.launch(root, service.name(), ports.get(service.name()), config, SERVICE_JVM,
                    data.resolve("logs").resolve(service.name() + ".log")));
        }
        out.println("tollgate: starting " + SERVICES.size() + " services, waiting until each is ready");

        List<CompletableFuture<Boolean>> readiness = running.stream()
                .map(service -> CompletableFuture.supplyAsync(() -> service.awaitReady(READY_TIMEOUT)))
                .toList();
        boolean allReady = true;
        out.println();
        for (int i = 0; i < running.size(); i++) {
            ServiceProcess service = running.get(i);
            boolean ready = readiness.get(i).join();
            allReady &= ready;
            out.printf("  %-20s http://localhost:%-6d %-9s log %s%n", service.name() + "-service", service.port(),
                    ready ? "ready" : service.isAlive() ? "NOT READY" : "EXITED " + service.exitCode(),
                    root.relativize(service.log()));
        }
        Map<String, Integer> servicePorts = new LinkedHashMap<>();
        running.forEach(service -> servicePorts.put(service.name(), service.port()));
        Gateway gateway = Gateway.start(FreePorts.preferring(Gateway.LOCAL_PORT), servicePorts);
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "tollgate-gateway-stop"));
        out.printf("  %-20s http://localhost:%-6d routes %s%n", "gateway", gateway.port(),
                String.join(" ", Gateway.ROUTES.keySet()));
        out.printf("  %-20s localhost:%d  (database %s, user %s, password %s)%n", "postgresql",
                stack.postgres().port(), PostgresServer.DATABASE, PostgresServer.USER, PostgresServer.PASSWORD);
        out.printf("  %-20s localhost:%d%n", "redis", stack.redis().port());
        out.printf("  %-20s localhost:%d%n", "kafka", stack.kafka().port());
        out.printf("  %-20s %s%n", "stripe", stripe == null ? "api.stripe.com (STRIPE_API_KEY)"
                : stripe.apiBase() + "  (emulator; ./tollgate stripe-event sends its webhooks)");
        out.println();
        if (allReady) {
            out.println("tollgate: ready. Everything is behind http://localhost:" + gateway.port()
                    + ". Ctrl-C stops everything.");
            out.print(walkthrough(gateway.port(), root.relativize(data.resolve("logs/auth.log"))));
        } else {
            out.println("tollgate: not every service is ready; read its log above. Ctrl-C stops everything.");
        }
        stopped.await();
    }
}
