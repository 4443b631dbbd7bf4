package dev.tollgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the compose checks learn from the suite's own sources rather than from a copy: the services (the root
 * pom's {@code *-service} modules), the Java release, the local gateway's routes and port (devstack's
 * {@code Gateway}), the server settings the local run gives every service ({@code DevStack.quarkusConfig()}) and
 * the path prefixes under which a service streams server-sent events.
 */
final class ComposeSuiteSources {

    private static final Pattern MODULE = Pattern.compile("<module>([a-z-]+-service)</module>");
    private static final Pattern RELEASE = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>");
    private static final Pattern ROUTE = Pattern.compile("routes\\.put\\(\"([^\"]+)\",\\s*\"([^\"]+)\"\\)");
    private static final Pattern LOCAL_PORT = Pattern.compile("LOCAL_PORT\\s*=\\s*(\\d+)");
    private static final Pattern CONFIG_PUT = Pattern.compile("config\\.put\\(\"([^\"]+)\"");
    private static final Pattern CLASS_PATH = Pattern.compile(
            "@Path\\(\"(/[^\"]*)\"\\)\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*public\\s+(?:final\\s+)?class\\s");

    private final Path root;

    ComposeSuiteSources(Path root) {
        this.root = root;
    }

    /** The service modules, e.g. {@code auth-service}, in the root pom's order. */
    List<String> serviceModules() {
        List<String> modules = new ArrayList<>();
        Matcher matcher = MODULE.matcher(ServiceConfiguration.read(root.resolve("pom.xml")));
        while (matcher.find()) {
            modules.add(matcher.group(1));
        }
        if (modules.isEmpty()) {
            throw new AssertionError("the root pom names no *-service module");
        }
        return modules;
    }

    int javaRelease() {
        Matcher matcher = RELEASE.matcher(ServiceConfiguration.read(root.resolve("pom.xml")));
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

    /** The properties {@code DevStack.quarkusConfig()} gives every service: the servers and how to reach them. */
    Set<String> devStackServerProperties() {
        String source = ServiceConfiguration.read(devstack("DevStack.java"));
        int start = source.indexOf("quarkusConfig()");
        int end = start < 0 ? -1 : source.indexOf("return config;", start);
        if (end < 0) {
            throw new AssertionError("found no quarkusConfig() ending in 'return config;' in DevStack.java");
        }
        Set<String> properties = new LinkedHashSet<>();
        Matcher matcher = CONFIG_PUT.matcher(source.substring(start, end));
        while (matcher.find()) {
            properties.add(matcher.group(1));
        }
        return properties;
    }

    /**
     * The first path segment (e.g. {@code /v1}) of every resource class of {@code module} that answers with
     * server-sent events somewhere.
     */
    Set<String> streamingPrefixes(String module) {
        Set<String> prefixes = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String source = ServiceConfiguration.read(file);
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

    private String gatewaySource() {
        return ServiceConfiguration.read(devstack("Gateway.java"));
    }

    private Path devstack(String file) {
        return root.resolve("devstack/src/main/java/dev/tollgate/devstack").resolve(file);
    }
}
