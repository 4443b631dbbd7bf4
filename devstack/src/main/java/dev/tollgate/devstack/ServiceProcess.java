package dev.tollgate.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One packaged Tollgate service running as a child process, its output in a log file. */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Where this build packages {@code service} (auth, billing, ...) under the checkout {@code root}. */
    public static Path jar(Path root, String service) {
        return root.resolve(service + "-service").resolve("target/quarkus-app/quarkus-run.jar");
    }

    /**
     * Starts the packaged {@code service} of the checkout {@code root}, told {@code config} less what it has no
     * client for: a service packaged without Quarkus' Redis client (billing and account) is not told where Redis is,
     * so it warns of no unrecognized key.
     */
    public static ServiceProcess launch(Path root, String service, int port, Map<String, String> config,
            List<String> jvmArgs, Path log) {
        Path jar = jar(root, service);
        return start(service, jar, port, configFor(jar, config), jvmArgs, log);
    }

    /** {@code config} less the Redis client's keys when the service at {@code jar} is packaged without that client. */
    static Map<String, String> configFor(Path jar, Map<String, String> config) {
        Map<String, String> told = new LinkedHashMap<>(config);
        if (!packagesLibrary(jar, "io.quarkus.quarkus-redis-client-")) {
            told.keySet().removeIf(key -> key.startsWith("quarkus.redis."));
        }
        return told;
    }

    private static boolean packagesLibrary(Path jar, String prefix) {
        Path libraries = jar.resolveSibling("lib").resolve("main");
        if (!Files.isDirectory(libraries)) {
            return true; // not a fast-jar layout: tell it everything
        }
        try (Stream<Path> files = Files.list(libraries)) {
            return files.anyMatch(file -> file.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code java -jar jar} with {@code config} as system properties and the HTTP port set, appending
     * its output to {@code log}.
     */
    public static ServiceProcess start(String name, Path jar, int port, Map<String, String> config, List<String> jvmArgs,
            Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + " is not built: " + jar + " is missing (run ./mvnw package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dquarkus.http.port=" + port);
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new ServiceProcess(name, port, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitCode() {
        return process.exitValue();
    }

    /** Polls {@code /q/health/ready} until it answers 200; false when the process exits or time runs out. */
    public boolean awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                process.waitFor(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Waits as {@link #awaitReady(Duration)} does.
     *
     * @return this service, ready
     * @throws IllegalStateException naming the service's log when it exits or is not ready within {@code timeout}
     */
    public ServiceProcess ready(Duration timeout) {
        if (!awaitReady(timeout)) {
            throw new IllegalStateException(name + "-service is not ready"
                    + (process.isAlive() ? " within " + timeout.toSeconds() + " s" : ": it exited with " + exitCode())
                    + "; its log: " + log);
        }
        return this;
    }

    /**
     * Stops {@code services} together, each as {@link #stop(Duration)} does: one after the other, their graceful
     * shutdowns (closing Kafka consumers, draining requests) would add up to tens of seconds.
     */
    public static void stopAll(Collection<ServiceProcess> services, Duration grace) {
        CompletableFuture.allOf(services.stream()
                .map(service -> CompletableFuture.runAsync(() -> service.stop(grace)))
                .toArray(CompletableFuture[]::new)).join();
    }

    /** Asks the service to shut down gracefully, then ends it if it has not within {@code grace}. */
    public void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
