package dev.tollgate.deploy;

import dev.tollgate.deploy.ConfigReferenceMapping.Property;
import dev.tollgate.deploy.ConfigReferenceSources.Module;
import dev.tollgate.deploy.ConfigReferenceSources.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/**
 * What the services expect of the place they run, read from the repository rather than restated: each service's
 * HTTP port and properties (common's shared ones too), the {@code @ConfigMapping} properties of common and of the
 * service (parsed by {@link ConfigReferenceParser}), the Quarkus extensions in its pom, the servers devstack hands
 * every service ({@code DevStack.quarkusConfig}) and the local gateway's routes ({@code Gateway.ROUTES}). From those
 * it says whether an environment variable sets something a service reads (MicroProfile Config's environment
 * naming: upper case, every other character an underscore) and which properties the prod profile leaves unset.
 */
final class KubernetesServices {

    /** Variables quarkus-kubernetes writes into every Deployment for its own use, and why. */
    static final Map<String, String> PLATFORM_VARIABLES = Map.of(
            "KUBERNETES_NAMESPACE", "quarkus-kubernetes sets it from the pod's namespace for the Kubernetes client");

    /** Properties Quarkus itself defines, which an expression may use without anyone setting them. */
    private static final Set<String> BUILT_IN = Set.of("quarkus.uuid", "quarkus.profile");

    /** The properties each Quarkus extension reads, by the prefix of their names. */
    private static final Map<String, List<String>> EXTENSION_PREFIXES = Map.of(
            "quarkus-reactive-pg-client", List.of("quarkus.datasource."),
            "quarkus-jdbc-postgresql", List.of("quarkus.datasource."),
            "quarkus-flyway", List.of("quarkus.flyway."),
            "quarkus-redis-client", List.of("quarkus.redis."),
            "quarkus-messaging-kafka", List.of("kafka.", "mp.messaging."),
            "quarkus-mailer", List.of("quarkus.mailer."),
            "quarkus-oidc-client", List.of("quarkus.oidc-client."),
            "quarkus-smallrye-jwt", List.of("mp.jwt.", "smallrye.jwt."));

    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");
    private static final Pattern ROUTE = Pattern.compile("routes\\.put\\(\"([^\"]+)\",\\s*\"([^\"]+)\"\\)");
    private static final Pattern SERVER = Pattern.compile("config\\.put\\(\"([^\"]+)\"");
    private static final Pattern EXPRESSION_NAME = Pattern.compile("\\$\\{([^:}$]+)");

    /**
     * One service.
     *
     * @param module its Maven module, which is also its Deployment's and Service's name, e.g. {@code auth-service}
     * @param port its {@code quarkus.http.port}
     * @param properties common's shared properties, then its own, without a profile
     * @param allKeys every key its properties and common's set, in any profile (the profile left out)
     * @param local what its {@code local} profile ({@code ./tollgate up}) sets, the profile left out
     * @param mappings the {@code @ConfigMapping} properties of common and of the service
     * @param prefixes the prefixes of the properties its Quarkus extensions read
     */
    record ServiceModule(String module, int port, Map<String, String> properties, Set<String> allKeys,
            Map<String, String> local, List<Property> mappings, Set<String> prefixes) {

        /** {@code auth} for {@code auth-service}: its folder under deploy/k8s/base, its name in Gateway.ROUTES. */
        String shortName() {
            return module.replaceFirst("-service$", "");
        }
    }

    private final List<ServiceModule> services;
    private final List<String> serverKeys;
    private final Map<String, String> routes;

    private KubernetesServices(List<ServiceModule> services, List<String> serverKeys, Map<String, String> routes) {
        this.services = services;
        this.serverKeys = serverKeys;
        this.routes = routes;
    }

    static KubernetesServices load(Path root) throws IOException {
        ConfigReferenceSources sources = ConfigReferenceSources.load(root);
        ConfigReferenceParser parser = new ConfigReferenceParser();
        List<Property> commonMappings = mappings(parser, sources.common());
        Map<String, String> commonAll = profiled(root.resolve(sources.common().propertiesPath()));
        List<ServiceModule> services = new ArrayList<>();
        for (Module module : sources.services()) {
            Map<String, String> properties = new LinkedHashMap<>(sources.common().properties());
            properties.putAll(module.properties());
            Map<String, String> all = profiled(root.resolve(module.propertiesPath()));
            Set<String> keys = new LinkedHashSet<>();
            for (String key : concat(commonAll.keySet(), all.keySet())) {
                keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
            }
            Map<String, String> local = new LinkedHashMap<>();
            all.forEach((key, value) -> {
                if (key.startsWith("%local.")) {
                    local.put(key.substring("%local.".length()), value);
                }
            });
            List<Property> mappings = new ArrayList<>(commonMappings);
            mappings.addAll(mappings(parser, module));
            Set<String> prefixes = new LinkedHashSet<>();
            for (String pom : List.of("common/pom.xml", module.name() + "/pom.xml")) {
                for (String line : Files.readAllLines(root.resolve(pom), StandardCharsets.UTF_8)) {
                    Matcher artifact = ARTIFACT.matcher(line);
                    if (!line.contains("<scope>test</scope>") && artifact.find()) {
                        prefixes.addAll(EXTENSION_PREFIXES.getOrDefault(artifact.group(1), List.of()));
                    }
                }
            }
            String port = properties.get("quarkus.http.port");
            if (port == null || !port.matches("\\d+")) {
                throw new IllegalStateException(module.propertiesPath() + ": no quarkus.http.port");
            }
            services.add(new ServiceModule(module.name(), Integer.parseInt(port), properties, keys, local,
                    List.copyOf(mappings), prefixes));
        }
        String devStack = Files.readString(root.resolve("devstack/src/main/java/dev/tollgate/devstack/DevStack.java"));
        int start = devStack.indexOf("quarkusConfig()");
        String body = devStack.substring(start, devStack.indexOf("return config;", start));
        List<String> serverKeys = new ArrayList<>();
        Matcher server = SERVER.matcher(body);
        while (server.find()) {
            serverKeys.add(server.group(1));
        }
        Map<String, String> routes = new LinkedHashMap<>();
        Matcher route = ROUTE.matcher(Files.readString(
                root.resolve("devstack/src/main/java/dev/tollgate/devstack/Gateway.java")));
        while (route.find()) {
            routes.put(route.group(1), route.group(2));
        }
        if (serverKeys.isEmpty() || routes.isEmpty()) {
            throw new IllegalStateException("DevStack.quarkusConfig or Gateway.ROUTES no longer read as expected");
        }
        return new KubernetesServices(List.copyOf(services), List.copyOf(serverKeys), routes);
    }

    List<ServiceModule> services() {
        return services;
    }

    /** The local gateway's routes: path prefix to service ({@code /auth} to {@code auth}), first match first. */
    Map<String, String> routes() {
        return routes;
    }

    /** The service whose module is {@code module}, or null. */
    ServiceModule service(String module) {
        return services.stream().filter(service -> service.module().equals(module)).findFirst().orElse(null);
    }

    /** The environment variable that sets {@code property}. */
    static String envName(String property) {
        StringBuilder env = new StringBuilder();
        for (char c : property.toCharArray()) {
            env.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return env.toString();
    }

    /** Whether {@code variable} sets a property {@code service} reads, or names one its expressions use. */
    boolean reads(ServiceModule service, String variable) {
        if (PLATFORM_VARIABLES.containsKey(variable)) {
            return true;
        }
        for (String key : service.allKeys()) {
            if (envName(key).equals(variable)) {
                return true;
            }
        }
        for (String value : service.properties().values()) {
            Matcher name = EXPRESSION_NAME.matcher(value);
            while (name.find()) {
                if (envName(name.group(1)).equals(variable)) {
                    return true;
                }
            }
        }
        for (Property property : service.mappings()) {
            String pattern = Pattern.quote(property.envVar()).replaceAll("<[A-Z]+>", "\\\\E[A-Z0-9_]+\\\\Q");
            if (variable.matches(pattern)) {
                return true;
            }
        }
        return service.prefixes().stream().anyMatch(prefix -> variable.startsWith(envName(prefix)));
    }

    /**
     * What {@code service} would miss in the prod profile with {@code environment} (variable to value; a value from
     * a Secret given as a placeholder), each as a sentence naming the property: an expression in its properties
     * that does not resolve, a {@code @ConfigMapping} property without a default, a server devstack gives it, a
     * variable whose default is an address of the local run, and what the local profile sets for it.
     */
    List<String> unmet(ServiceModule service, Map<String, String> environment) {
        Resolver resolver = new Resolver(service, environment);
        List<String> unmet = new ArrayList<>();
        service.properties().forEach((key, value) -> {
            if (value.contains("${") && resolver.resolve(value, 0) == null) {
                unmet.add(key + "=" + value + " does not resolve: " + resolver.missing(value));
            }
            Matcher local = Pattern.compile("\\$\\{([^:}]+):[^}]*(localhost|127\\.0\\.0\\.1)").matcher(value);
            while (local.find()) {
                if (!environment.containsKey(envName(local.group(1)))) {
                    unmet.add(key + " falls back to the local run's address: set " + envName(local.group(1)));
                }
            }
        });
        for (Property property : service.mappings()) {
            if (!property.optional() && !property.inMap() && property.defaultValue().isEmpty()
                    && isEmpty(resolver.value(property.name(), 0))) {
                unmet.add(property.name() + " (" + property.declaredAt() + ") has no default: set "
                        + property.envVar());
            }
        }
        for (String key : serverKeys) {
            if (isEmpty(resolver.value(key, 0))) {
                unmet.add(key + " (a server devstack gives every service) is not set: set " + envName(key));
            }
        }
        service.local().forEach((key, value) -> {
            if ((key.startsWith("tollgate.") || key.endsWith("secret")) && isEmpty(resolver.value(key, 0))) {
                unmet.add(key + " is set for the local run only: set " + envName(key));
            }
        });
        return unmet;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    private static Map<String, String> profiled(Path file) throws IOException {
        return ConfigReferenceSources.readInOrder(file);
    }

    private static List<Property> mappings(ConfigReferenceParser parser, Module module) {
        List<Property> properties = new ArrayList<>();
        for (SourceFile file : module.sources()) {
            parser.mappings(file.unit(), module.name(), file.path()).forEach(mapping ->
                    properties.addAll(mapping.properties()));
        }
        return properties;
    }

    private static List<String> concat(Set<String> first, Set<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Property values as the prod profile sees them: the environment first, then the properties, then defaults. */
    private static final class Resolver {

        private static final int DEPTH = 16;

        private final ServiceModule service;
        private final Map<String, String> environment;

        Resolver(ServiceModule service, Map<String, String> environment) {
            this.service = service;
            this.environment = environment;
        }

        /** The value of a property or variable, expressions resolved; null when it is not set. */
        String value(String name, int depth) {
            if (depth > DEPTH) {
                return null;
            }
            if (BUILT_IN.contains(name)) {
                return name;
            }
            String env = environment.containsKey(name) ? environment.get(name) : environment.get(envName(name));
            if (env != null) {
                return env;
            }
            String raw = service.properties().get(name);
            if (raw == null) {
                raw = service.mappings().stream().filter(property -> property.name().equals(name))
                        .map(property -> property.defaultValue().orElse(null)).filter(value -> value != null)
                        .findFirst().orElse(null);
            }
            return raw == null ? null : resolve(raw, depth + 1);
        }

        /** {@code raw} with its {@code ${name}} and {@code ${name:default}} expressions resolved, or null. */
        String resolve(String raw, int depth) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < raw.length()) {
                int start = raw.indexOf("${", i);
                if (start < 0) {
                    out.append(raw, i, raw.length());
                    break;
                }
                out.append(raw, i, start);
                int end = closing(raw, start + 2);
                String inner = raw.substring(start + 2, end);
                int colon = colon(inner);
                String name = colon < 0 ? inner : inner.substring(0, colon);
                String value = value(name, depth);
                if (isEmpty(value)) {
                    value = colon < 0 ? null : resolve(inner.substring(colon + 1), depth + 1);
                }
                if (value == null) {
                    return null;
                }
                out.append(value);
                i = end + 1;
            }
            return out.toString();
        }

        /** The names in {@code raw}'s expressions that are set nowhere. */
        String missing(String raw) {
            List<String> missing = new ArrayList<>();
            Matcher name = EXPRESSION_NAME.matcher(raw);
            while (name.find()) {
                if (isEmpty(value(name.group(1), 0))) {
                    missing.add(name.group(1) + " (environment " + envName(name.group(1)) + ")");
                }
            }
            return missing.isEmpty() ? "an expression in it" : String.join(", ", missing);
        }

        private static int closing(String raw, int from) {
            int depth = 1;
            for (int i = from; i < raw.length(); i++) {
                if (raw.startsWith("${", i)) {
                    depth++;
                    i++;
                } else if (raw.charAt(i) == '}' && --depth == 0) {
                    return i;
                }
            }
            throw new IllegalArgumentException("unclosed expression in " + raw);
        }

        private static int colon(String inner) {
            int depth = 0;
            for (int i = 0; i < inner.length(); i++) {
                if (inner.startsWith("${", i)) {
                    depth++;
                    i++;
                } else if (inner.charAt(i) == '}') {
                    depth--;
                } else if (inner.charAt(i) == ':' && depth == 0) {
                    return i;
                }
            }
            return -1;
        }
    }
}
