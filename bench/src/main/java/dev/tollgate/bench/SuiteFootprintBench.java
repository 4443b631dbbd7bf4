package dev.tollgate.bench;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.Gateway;
import dev.tollgate.devstack.LocalMailbox;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.devstack.StripeEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the suite costs on this machine: the start-up time of each packaged service (started alone, the others
 * already running), of the whole suite as {@code ./tollgate up} starts it (the five at once), and each service's
 * resident memory (RSS) when idle and under load. The load is signed-in traffic through the local gateway that
 * touches every service: chat completions (generation, then metering and billing through {@code usage.recorded}),
 * usage, profile, invoices and tenants. The services run with the local run's JVM flags.
 */
public final class SuiteFootprintBench {

    private static final List<String> SERVICES = List.of("auth", "billing", "generation", "metering", "account");
    private static final List<String> JVM = System.getProperty("bench.jvm") == null ? LocalRun.SERVICE_JVM
            : List.of(System.getProperty("bench.jvm").trim().split("\\s+"));
    private static final Duration READY = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SuiteFootprintBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int seconds = Integer.getInteger("bench.seconds", 60);
        int clients = Integer.getInteger("bench.clients", 16);
        int idleSeconds = Integer.getInteger("bench.idle", 30);

        long serversStart = System.nanoTime();
        DevStack stack = DevStack.start(work.resolve("devstack-suite"), DevStack.Ports.ANY, false);
        double serversSeconds = (System.nanoTime() - serversStart) / 1e9;
        StripeEmulator stripe = StripeEmulator.start(FreePorts.pick());
        Map<String, Integer> ports = new LinkedHashMap<>();
        SERVICES.forEach(name -> ports.put(name, FreePorts.pick()));
        Map<String, String> config = config(stack, stripe, ports);
        Map<String, ServiceProcess> running = new LinkedHashMap<>();
        Gateway gateway = null;
        try {
            // each alone: started after the one before is ready
            Map<String, Double> alone = new LinkedHashMap<>();
            for (String name : SERVICES) {
                long start = System.nanoTime();
                ServiceProcess service = launch(root, work, name, ports.get(name), config);
                running.put(name, service);
                service.ready(READY);
                alone.put(name, (System.nanoTime() - start) / 1e9);
                System.out.printf("%s-service ready in %.1f s%n", name, alone.get(name));
            }
            ServiceProcess.stopAll(running.values(), Duration.ofSeconds(20));
            running.clear();

            // the suite: the five at once, as ./tollgate up does, each timed until it is ready
            long suiteStart = System.nanoTime();
            SERVICES.forEach(name -> running.put(name, launch(root, work, name, ports.get(name), config)));
            Map<String, CompletableFuture<Double>> together = new LinkedHashMap<>();
            running.forEach((name, service) -> together.put(name, CompletableFuture.supplyAsync(() -> {
                service.ready(READY);
                return (System.nanoTime() - suiteStart) / 1e9;
            })));
            CompletableFuture.allOf(together.values().toArray(CompletableFuture[]::new)).join();
            double suiteSeconds = (System.nanoTime() - suiteStart) / 1e9;
            System.out.printf("the five services ready in %.1f s after a start together%n", suiteSeconds);
            gateway = Gateway.start(FreePorts.pick(), ports);
            String base = "http://localhost:" + gateway.port();

            Thread.sleep(idleSeconds * 1000L);
            Map<String, Long> idle = new LinkedHashMap<>();
            running.forEach((name, service) -> idle.put(name, rssKb(service.pid())));
            System.out.println("idle RSS (KiB): " + idle);

            String access = signIn(base, running.get("auth").log(), "footprint@example.com");
            Map<String, Long> peak = new ConcurrentHashMap<>();
            Map<String, LongAdder> answered = new ConcurrentHashMap<>();
            LongAdder failed = new LongAdder();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int offset = i;
                Thread thread = new Thread(() -> load(base, access, offset, stop, answered, failed), "client-" + i);
                thread.start();
                threads.add(thread);
            }
            long loadStart = System.nanoTime();
            while (System.nanoTime() - loadStart < seconds * 1_000_000_000L) {
                Thread.sleep(1000);
                running.forEach((name, service) -> peak.merge(name, rssKb(service.pid()), Math::max));
            }
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            Map<String, Long> after = new LinkedHashMap<>();
            running.forEach((name, service) -> after.put(name, rssKb(service.pid())));

            StringBuilder report = new StringBuilder("# Tollgate suite footprint, " + Instant.now() + "\n\n"
                    + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + "; services packaged (JVM mode) with the local run's flags "
                    + String.join(" ", JVM) + ", on devstack's PostgreSQL, Redis and Kafka; load: " + clients
                    + " clients through the gateway for " + seconds + " s.\n\n"
                    + String.format("PostgreSQL, Redis and Kafka started in %.1f s; the five services started together "
                            + "were ready %.1f s later (whole suite %.1f s).%n%n", serversSeconds, suiteSeconds,
                            serversSeconds + suiteSeconds)
                    + "| service | start-up alone (s) | ready in the suite start (s) | RSS idle (MiB) "
                    + "| RSS peak under load (MiB) | RSS after load (MiB) | answers/s under load |\n"
                    + "|---|---|---|---|---|---|---|\n");
            long idleTotal = 0;
            long peakTotal = 0;
            for (String name : SERVICES) {
                idleTotal += idle.get(name);
                peakTotal += peak.get(name);
                LongAdder count = answered.getOrDefault(name, new LongAdder());
                report.append(String.format("| %s | %.1f | %.1f | %d | %d | %d | %.0f |%n", name, alone.get(name),
                        together.get(name).join(), idle.get(name) / 1024, peak.get(name) / 1024,
                        after.get(name) / 1024, count.sum() / loadSeconds));
            }
            report.append(String.format("| all five | | %.1f | %d | %d | | %.0f (%d failed) |%n", suiteSeconds,
                    idleTotal / 1024, peakTotal / 1024,
                    answered.values().stream().mapToLong(LongAdder::sum).sum() / loadSeconds, failed.sum()));
            BenchReport.write(work, "footprint-report.md", report);
        } finally {
            if (gateway != null) {
                gateway.close();
            }
            ServiceProcess.stopAll(running.values(), Duration.ofSeconds(20));
            stripe.close();
            stack.close();
        }
        System.exit(0);
    }

    /** The local run's configuration, with quotas and rate limits out of the way of the load. */
    private static Map<String, String> config(DevStack stack, StripeEmulator stripe, Map<String, Integer> ports) {
        Map<String, String> config = LocalRun.serviceConfig(stack, stripe.apiBase(), ports);
        config.put("tollgate.free-tier.quotas.generations", "1000000000");
        config.put("tollgate.free-tier.quotas.input_tokens", "1000000000000");
        config.put("tollgate.free-tier.quotas.output_tokens", "1000000000000");
        for (String rate : List.of("user-per-minute", "user-per-hour", "tenant-per-minute", "tenant-per-hour",
                "burst-per-second")) {
            config.put("tollgate.free-tier.rate-limits." + rate, "0");
        }
        return config;
    }

    private static ServiceProcess launch(Path root, Path work, String name, int port, Map<String, String> config) {
        return ServiceProcess.launch(root, name, port, config, JVM, work.resolve("footprint-logs").resolve(name + ".log"));
    }

    /** One client: the five calls in turn, each answered before the next, until told to stop. */
    private static void load(String base, String access, int offset, AtomicBoolean stop,
            Map<String, LongAdder> answered, LongAdder failed) {
        String chat = "{\"model\":\"small\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Plan a hike in the Jura\"}]}";
        List<Map.Entry<String, HttpRequest.Builder>> calls = List.of(
                Map.entry("generation", HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat))),
                Map.entry("metering", HttpRequest.newBuilder(URI.create(base + "/usage")).GET()),
                Map.entry("account", HttpRequest.newBuilder(URI.create(base + "/account/me")).GET()),
                Map.entry("billing", HttpRequest.newBuilder(URI.create(base + "/billing/invoices")).GET()),
                Map.entry("auth", HttpRequest.newBuilder(URI.create(base + "/auth/tenants")).GET()));
        for (int i = offset; !stop.get(); i++) {
            Map.Entry<String, HttpRequest.Builder> call = calls.get(i % calls.size());
            try {
                HttpResponse<Void> response = HTTP.send(call.getValue().copy().header("Authorization", "Bearer "
                        + access).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    answered.computeIfAbsent(call.getKey(), key -> new LongAdder()).increment();
                } else {
                    failed.increment();
                    System.out.println(call.getKey() + " answered " + response.statusCode());
                }
            } catch (IOException e) {
                failed.increment();
                System.out.println(call.getKey() + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Signs in by the mailed link, which the local profile writes to auth-service's log; the access token. */
    private static String signIn(String base, Path authLog, String email) throws Exception {
        post(base + "/auth/magic-link", "{\"email\":\"" + email + "\"}");
        String token = null;
        for (int attempt = 0; attempt < 50 && token == null; attempt++) {
            token = LocalMailbox.lastSignInToken(authLog, email);
            if (token == null) {
                Thread.sleep(200);
            }
        }
        if (token == null) {
            throw new IllegalStateException("no sign-in mail in " + authLog);
        }
        Matcher access = Pattern.compile("\"access_token\":\"([^\"]+)\"")
                .matcher(post(base + "/auth/magic-link/confirm", "{\"token\":\"" + token + "\"}"));
        if (!access.find()) {
            throw new IllegalStateException("the sign-in answered no access token");
        }
        return access.group(1);
    }

    private static String post(String url, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Resident memory of a process in KiB: {@code /proc} on Linux, {@code ps} elsewhere. */
    private static long rssKb(long pid) {
        try {
            Path status = Path.of("/proc", String.valueOf(pid), "status");
            if (Files.exists(status)) {
                return Files.readAllLines(status).stream().filter(line -> line.startsWith("VmRSS:"))
                        .map(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElse(0L);
            }
            Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", String.valueOf(pid)).start();
            return Long.parseLong(new String(ps.getInputStream().readAllBytes()).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
