package dev.tollgate.journey;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged services of this build as processes, on free ports, over one set of servers (PostgreSQL, Redis,
 * Kafka) under {@code target/journey}, in the {@code local} profile (mail to the log, local secrets): what
 * {@code ./tollgate up} runs, started once per test JVM.
 */
final class Suite {

    private static final List<String> JVM = List.of("-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final Duration READY = Duration.ofMinutes(3);
    private static Suite running;

    private final DevStack stack;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private Suite(List<String> names) {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path dir = Path.of("target", "journey").toAbsolutePath();
        stack = DevStack.start(dir.resolve("servers"), DevStack.Ports.ANY, false);
        Map<String, Integer> ports = new LinkedHashMap<>();
        names.forEach(name -> ports.put(name, FreePorts.pick()));
        Map<String, String> config = stack.quarkusConfig();
        config.put("quarkus.profile", "local");
        config.put("quarkus.http.host", "127.0.0.1");
        config.put("tollgate.tokens.issuer", "http://localhost:" + ports.get("auth"));
        config.put("tollgate.auth.public-url", "http://localhost:" + ports.get("auth"));
        List<ServiceProcess> started = new ArrayList<>();
        for (String name : names) {
            started.add(ServiceProcess.start(name, root.resolve(name + "-service/target/quarkus-app/quarkus-run.jar"),
                    ports.get(name), config, JVM, dir.resolve("logs").resolve(name + ".log")));
        }
        for (ServiceProcess service : started) {
            if (!service.awaitReady(READY)) {
                throw new IllegalStateException(service.name() + "-service is not ready; its log: " + service.log());
            }
            services.put(service.name(), service);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "journey-stop"));
    }

    /** The suite with at least auth, generation and metering running. */
    static synchronized Suite start() {
        if (running == null) {
            running = new Suite(List.of("auth", "generation", "metering"));
        }
        return running;
    }

    String url(String service) {
        return "http://localhost:" + services.get(service).port();
    }

    /** The sign-in link auth-service last mailed to {@code email} (the local profile writes mail to its log). */
    String lastSignInToken(String email) {
        Pattern link = Pattern.compile("confirm\\?token=([A-Za-z0-9_-]+)");
        try {
            String log = Files.readString(services.get("auth").log());
            int at = log.lastIndexOf(email);
            if (at < 0) {
                return null;
            }
            Matcher matcher = link.matcher(log);
            String token = null;
            while (matcher.find()) {
                if (matcher.start() > at - 4000) {
                    token = matcher.group(1);
                }
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stop() {
        services.values().forEach(service -> service.stop(Duration.ofSeconds(15)));
        stack.close();
    }
}
