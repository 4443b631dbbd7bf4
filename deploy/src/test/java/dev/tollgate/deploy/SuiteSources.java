package dev.tollgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the deployment checks learn from the suite's own sources rather than from a copy, besides each service's
 * configuration ({@link ServiceConfiguration}): the Java release, the local gateway's routes and port (devstack's
 * {@code Gateway}) and the path prefixes under which a service streams server-sent events.
 */
final class SuiteSources {

    private static final Pattern RELEASE = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>");
    private static final Pattern ROUTE = Pattern.compile("routes\\.put\\(\"([^\"]+)\",\\s*\"([^\"]+)\"\\)");
    private static final Pattern LOCAL_PORT = Pattern.compile("LOCAL_PORT\\s*=\\s*(\\d+)");
    private static final Pattern CLASS_PATH = Pattern.compile(
            "@Path\\(\"(/[^\"]*)\"\\)\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*public\\s+(?:final\\s+)?class\\s");

    private final Path root;

    SuiteSources(Path root) {
        this.root = root;
    }

    int javaRelease() {
        Matcher matcher = RELEASE.matcher(read(root.resolve("pom.xml")));
        if (!matcher.find()) {
            throw new AssertionError("the root pom sets no maven.compiler.release");
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** {@code Gateway.ROUTES}: path prefix to the service name ({@code auth}, ...), in their order. */
    Map<String, String> gatewayRoutes() {
        Map<String, String> routes = new LinkedHashMap<>();
        Matcher matcher = ROUTE.matcher(gatewaySource());
        while (matcher.find()) {
            routes.put(matcher.group(1), matcher.group(2));
        }
        if (routes.isEmpty()) {
            throw new AssertionError("found no routes.put(\"prefix\", \"service\") in Gateway.java");
        }
        return routes;
    }

    /** {@code Gateway.LOCAL_PORT}, the port the local run's gateway prefers. */
    int gatewayPort() {
        Matcher matcher = LOCAL_PORT.matcher(gatewaySource());
        if (!matcher.find()) {
            throw new AssertionError("found no LOCAL_PORT in Gateway.java");
        }
        return Integer.parseInt(matcher.group(1));
    }

    /**
     * The first path segment (e.g. {@code /v1}) of every resource class of {@code module} that answers with
     * server-sent events somewhere.
     */
    Set<String> streamingPrefixes(String module) {
        Set<String> prefixes = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String source = read(file);
                Matcher matcher = CLASS_PATH.matcher(source);
                if ((source.contains("SERVER_SENT_EVENTS") || source.contains("text/event-stream")) && matcher.find()) {
                    prefixes.add("/" + matcher.group(1).substring(1).split("/")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prefixes;
    }

    /** The text of {@code file}. */
    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private String gatewaySource() {
        return read(devstack("Gateway.java"));
    }

    private Path devstack(String file) {
        return root.resolve("devstack/src/main/java/dev/tollgate/devstack").resolve(file);
    }
}
